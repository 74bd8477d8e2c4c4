#include "store/account.h"

#include <sys/stat.h>

#include "store/idblocks.h"
#include "store/mailbox.h"

namespace mox::store {
namespace {

const std::vector<std::string> kMigrations = {
    R"(
CREATE TABLE Account (
  ID INTEGER PRIMARY KEY CHECK (ID = 1),
  ModSeq INTEGER NOT NULL,
  UIDValidityNext INTEGER NOT NULL
);
INSERT INTO Account (ID, ModSeq, UIDValidityNext) VALUES (1, 1, 1);
CREATE TABLE Mailbox (
  ID INTEGER PRIMARY KEY AUTOINCREMENT,
  Name TEXT NOT NULL UNIQUE,
  SpecialUse TEXT NOT NULL DEFAULT '',
  UIDValidity INTEGER NOT NULL,
  UIDNext INTEGER NOT NULL DEFAULT 1,
  CreateModSeq INTEGER NOT NULL,
  ModSeq INTEGER NOT NULL
);
CREATE TABLE Message (
  ID INTEGER PRIMARY KEY AUTOINCREMENT,
  MailboxID INTEGER NOT NULL REFERENCES Mailbox(ID),
  UID INTEGER NOT NULL,
  ModSeq INTEGER NOT NULL,
  CreateModSeq INTEGER NOT NULL,
  Expunged INTEGER NOT NULL DEFAULT 0,
  Received INTEGER NOT NULL,
  SaveDate INTEGER NOT NULL,
  Size INTEGER NOT NULL,
  Flags INTEGER NOT NULL DEFAULT 0,
  Keywords TEXT NOT NULL DEFAULT '',
  UNIQUE (MailboxID, UID)
);
CREATE INDEX MessageMailboxModSeq ON Message(MailboxID, ModSeq);
CREATE TABLE Password (
  ID INTEGER PRIMARY KEY CHECK (ID = 1),
  SCRAMSHA1Salt BLOB NOT NULL,
  SCRAMSHA1Iterations INTEGER NOT NULL,
  SCRAMSHA1StoredKey BLOB NOT NULL,
  SCRAMSHA1ServerKey BLOB NOT NULL,
  SCRAMSHA256Salt BLOB NOT NULL,
  SCRAMSHA256Iterations INTEGER NOT NULL,
  SCRAMSHA256StoredKey BLOB NOT NULL,
  SCRAMSHA256ServerKey BLOB NOT NULL,
  CRAMMD5Ipad BLOB NOT NULL,
  CRAMMD5Opad BLOB NOT NULL
);
CREATE TABLE Subscription (
  Name TEXT PRIMARY KEY
);
)",
    // 2: message IDs are reserved from Account.NextMessageID before the
    // message file is written (see store/deliver.cc), so an ID is never handed
    // out twice, even when its delivery crashed. The trigger refuses a row
    // whose ID was not reserved, e.g. one inserted with an automatic rowid.
    R"(
ALTER TABLE Account ADD COLUMN NextMessageID INTEGER NOT NULL DEFAULT 1;
UPDATE Account SET NextMessageID = 1 + MAX(
  COALESCE((SELECT MAX(ID) FROM Message), 0),
  COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'Message'), 0));
CREATE TRIGGER MessageIDReserved BEFORE INSERT ON Message
WHEN NEW.ID IS NULL OR NEW.ID < 1 OR NEW.ID >= (SELECT NextMessageID FROM Account)
BEGIN
  SELECT RAISE(ABORT, 'message ID not reserved from Account.NextMessageID');
END;
)",
    // 3: a random identity of this account's database. It kept a process's
    // cached message IDs from a re-created account of the same name; reserved
    // IDs now live in the AccountStore or SharedAccount that reserved them
    // (store/idblocks.h), so nothing reads it any more.
    R"(
ALTER TABLE Account ADD COLUMN Instance TEXT NOT NULL DEFAULT '';
UPDATE Account SET Instance = lower(hex(randomblob(16)));
)",
    // 4: parsed forms of each message, computed once (store/parsed.h): FETCH
    // renderings in Message, decoded text for SEARCH in an FTS5 trigram
    // index. Existing messages keep Parsed = 0 and are parsed on first use,
    // not here: a migration runs while a server waits to answer a client.
    // detail=none keeps only which rows hold a trigram, not where: half the
    // index size and half the cost per delivery of the default (bench/); the
    // index then finds candidates, which are checked against the text.
    R"(
ALTER TABLE Message ADD COLUMN Parsed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE Message ADD COLUMN ImapEnvelope BLOB;
ALTER TABLE Message ADD COLUMN ImapBodyStructure BLOB;
ALTER TABLE Message ADD COLUMN ImapBody BLOB;
CREATE INDEX MessageUnparsed ON Message(MailboxID) WHERE Parsed = 0 AND Expunged = 0;
CREATE VIRTUAL TABLE MessageText USING fts5(Headers, Body, tokenize = 'trigram', detail = none);
)",
    // 5: the account's disk usage for its quota (store/quota.h): the sum of
    // the sizes of messages not expunged, started from the rows there are and
    // kept by triggers in the transaction of every change to Message, so
    // that no path that adds, expunges or deletes rows can miss it.
    R"(
CREATE TABLE DiskUsage (
  ID INTEGER PRIMARY KEY CHECK (ID = 1),
  MessageSize INTEGER NOT NULL
);
INSERT INTO DiskUsage (ID, MessageSize)
  SELECT 1, COALESCE(SUM(Size), 0) FROM Message WHERE Expunged = 0;
CREATE TRIGGER DiskUsageInsert AFTER INSERT ON Message WHEN NEW.Expunged = 0
BEGIN
  UPDATE DiskUsage SET MessageSize = MessageSize + NEW.Size WHERE ID = 1;
END;
CREATE TRIGGER DiskUsageUpdate AFTER UPDATE OF Expunged, Size ON Message
WHEN OLD.Expunged = 0 OR NEW.Expunged = 0
BEGIN
  UPDATE DiskUsage SET MessageSize = MessageSize
    - CASE WHEN OLD.Expunged = 0 THEN OLD.Size ELSE 0 END
    + CASE WHEN NEW.Expunged = 0 THEN NEW.Size ELSE 0 END
  WHERE ID = 1;
END;
CREATE TRIGGER DiskUsageDelete AFTER DELETE ON Message WHEN OLD.Expunged = 0
BEGIN
  UPDATE DiskUsage SET MessageSize = MessageSize - OLD.Size WHERE ID = 1;
END;
)",
    // 6: where a message from outside came from and what the checks of its
    // origin said (store/deliver.h MessageAuth; RFC 8601 result words),
    // for reputation and junk filtering. Empty for submitted and appended
    // messages.
    R"(
ALTER TABLE Message ADD COLUMN RemoteIP TEXT NOT NULL DEFAULT '';
ALTER TABLE Message ADD COLUMN EHLODomain TEXT NOT NULL DEFAULT '';
ALTER TABLE Message ADD COLUMN MailFrom TEXT NOT NULL DEFAULT '';
ALTER TABLE Message ADD COLUMN MailFromDomain TEXT NOT NULL DEFAULT '';
ALTER TABLE Message ADD COLUMN MsgFromDomain TEXT NOT NULL DEFAULT '';
ALTER TABLE Message ADD COLUMN MsgFromOrgDomain TEXT NOT NULL DEFAULT '';
ALTER TABLE Message ADD COLUMN SPFResult TEXT NOT NULL DEFAULT '';
ALTER TABLE Message ADD COLUMN HeloSPFResult TEXT NOT NULL DEFAULT '';
ALTER TABLE Message ADD COLUMN DKIMDomains TEXT NOT NULL DEFAULT '';
ALTER TABLE Message ADD COLUMN DMARCResult TEXT NOT NULL DEFAULT '';
ALTER TABLE Message ADD COLUMN IprevResult TEXT NOT NULL DEFAULT '';
ALTER TABLE Message ADD COLUMN EHLOValidated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE Message ADD COLUMN MailFromValidated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE Message ADD COLUMN MsgFromValidated INTEGER NOT NULL DEFAULT 0;
)",
    // 7: the version of the stored FETCH forms (store/parsed.h
    // kFormsVersion): forms rendered by an older version of the code are
    // rendered again on their next FETCH. The forms stored so far are those
    // of version 1.
    R"(
ALTER TABLE Message ADD COLUMN FormsVersion INTEGER NOT NULL DEFAULT 0;
UPDATE Message SET FormsVersion = 1 WHERE ImapEnvelope IS NOT NULL;
)",
    // 8: the keys of SORT and THREAD (RFC 5256, RFC 5957; store/sortkeys.h),
    // taken from the header when a message is added, so that sorting and
    // threading a mailbox reads rows, not files. SortVersion is the version
    // of the code that computed them (0: not yet): messages stored before
    // this migration get theirs from their files on the first SORT or
    // THREAD of their mailbox, not here, as with migration 4.
    R"(
ALTER TABLE Message ADD COLUMN SortVersion INTEGER NOT NULL DEFAULT 0;
ALTER TABLE Message ADD COLUMN SentDate INTEGER;
ALTER TABLE Message ADD COLUMN SortSubject TEXT NOT NULL DEFAULT '';
ALTER TABLE Message ADD COLUMN SubjectReply INTEGER NOT NULL DEFAULT 0;
ALTER TABLE Message ADD COLUMN SortFrom TEXT NOT NULL DEFAULT '';
ALTER TABLE Message ADD COLUMN SortTo TEXT NOT NULL DEFAULT '';
ALTER TABLE Message ADD COLUMN SortCc TEXT NOT NULL DEFAULT '';
ALTER TABLE Message ADD COLUMN DisplayFrom TEXT NOT NULL DEFAULT '';
ALTER TABLE Message ADD COLUMN DisplayTo TEXT NOT NULL DEFAULT '';
ALTER TABLE Message ADD COLUMN ThreadMessageID TEXT NOT NULL DEFAULT '';
ALTER TABLE Message ADD COLUMN ThreadReferences TEXT NOT NULL DEFAULT '';
)",
    // 9: the highest UID a session has claimed as \Recent (store/recent.h).
    // The messages already there are recent for no session.
    R"(
ALTER TABLE Mailbox ADD COLUMN RecentUID INTEGER NOT NULL DEFAULT 0;
UPDATE Mailbox SET RecentUID = UIDNext - 1;
)",
    // 10: the PREVIEW of a message (RFC 8970, store/preview.h), rendered on
    // its first FETCH PREVIEW (NULL until then) by the code of PreviewVersion.
    R"(
ALTER TABLE Message ADD COLUMN Preview TEXT;
ALTER TABLE Message ADD COLUMN PreviewVersion INTEGER NOT NULL DEFAULT 0;
)",
    // 11: METADATA entries (RFC 5464, store/metadata.h) of the server
    // (MailboxID 0) and of mailboxes; they go with a deleted mailbox and stay
    // with its ID through RENAME.
    R"(
CREATE TABLE Metadata (
  MailboxID INTEGER NOT NULL,
  Entry TEXT NOT NULL,
  Value BLOB NOT NULL,
  PRIMARY KEY (MailboxID, Entry)
);
CREATE TRIGGER MetadataMailboxDeleted AFTER DELETE ON Mailbox BEGIN
  DELETE FROM Metadata WHERE MailboxID = OLD.ID;
END;
)",
    // 12: expunged messages leave Message; their UIDs stay in ExpungedUID,
    // ranges with the modseq of their expunge, for QRESYNC and CONDSTORE
    // (store/vanished.h). The rows expunged so far (Expunged = 1, no search
    // text any more) become one range each, merged by the next expunges;
    // Message.Expunged is 0 from here on. The DiskUsage triggers count only
    // rows with Expunged = 0: deleting these changes nothing there.
    R"(
CREATE TABLE ExpungedUID (
  MailboxID INTEGER NOT NULL,
  FirstUID INTEGER NOT NULL,
  LastUID INTEGER NOT NULL,
  ModSeq INTEGER NOT NULL
);
CREATE INDEX ExpungedUIDMailboxModSeq ON ExpungedUID(MailboxID, ModSeq);
INSERT INTO ExpungedUID (MailboxID, FirstUID, LastUID, ModSeq)
  SELECT MailboxID, UID, UID, ModSeq FROM Message WHERE Expunged = 1 ORDER BY MailboxID, UID;
DELETE FROM MessageText WHERE rowid IN (SELECT ID FROM Message WHERE Expunged = 1);
DELETE FROM Message WHERE Expunged = 1;
)",
};

Result<bool> has_mailboxes(db::Db& db) {
  MOX_ASSIGN(auto q, db.prepare("SELECT EXISTS (SELECT 1 FROM Mailbox)"));
  MOX_ASSIGN(bool row, q.step());
  return row && q.col_int(0) != 0;
}

Status create_default_mailboxes(db::Db& db) {
  // Without taking the write lock when there is nothing to do (every open
  // by a delivering process).
  MOX_ASSIGN(bool has, has_mailboxes(db));
  if (has) return {};
  MOX_ASSIGN(auto tx, db::Tx::begin(db));
  MOX_ASSIGN(auto count, db.prepare("SELECT COUNT(*) FROM Mailbox"));
  MOX_TRY(count.step());
  if (count.col_int(0) > 0) return {};  // tx rolls back: nothing to do
  count = db::Stmt();
  for (const auto& mb : kDefaultMailboxes) {
    MOX_ASSIGN(int64_t uidvalidity, take_uidvalidity(db));
    MOX_ASSIGN(auto ins,
               db.prepare("INSERT INTO Mailbox (Name, SpecialUse, UIDValidity, CreateModSeq, "
                          "ModSeq) SELECT ?, ?, ?, ModSeq, ModSeq FROM Account"));
    MOX_TRY(ins.bind(1, mb.name).bind(2, mb.special_use).bind(3, uidvalidity).run());
    MOX_ASSIGN(auto sub, db.prepare("INSERT OR IGNORE INTO Subscription (Name) VALUES (?)"));
    MOX_TRY(sub.bind(1, mb.name).run());
  }
  return tx.commit();
}

}  // namespace

const std::vector<std::string>& account_migrations() { return kMigrations; }

Result<AccountStore> AccountStore::open(const std::string& dir, bool create) {
  if (!create && !path_exists(dir + "/index.db")) {
    return not_found("account directory " + dir + " does not exist");
  }
  if (create) MOX_TRY(mkdir_all(dir + "/msg", 0770));
  MOX_ASSIGN(FileLock lock, FileLock::acquire(dir + "/lock", FileLock::Mode::kShared, true));
  MOX_ASSIGN(db::Db db, db::Db::open(dir + "/index.db", kMigrations, create));
  if (create) MOX_TRY(create_default_mailboxes(db));
  return AccountStore(dir, std::move(lock), std::move(db));
}

AccountStore::AccountStore(std::string dir, FileLock lock, db::Db db)
    : dir_(std::move(dir)), lock_(std::move(lock)), db_(std::move(db)) {
  struct stat st;
  if (::fstat(lock_.fd(), &st) == 0) {
    lock_dev_ = st.st_dev;
    lock_ino_ = st.st_ino;
  }
}

AccountStore::AccountStore(AccountStore&&) noexcept = default;
AccountStore& AccountStore::operator=(AccountStore&&) noexcept = default;
AccountStore::~AccountStore() = default;

IdBlocks& AccountStore::message_ids() {
  // deliver()'s blocks: no files made ahead (a process delivering through
  // an AccountStore may deliver one message only), 32 IDs each.
  if (!ids_) ids_ = std::make_unique<IdBlocks>(dir_, IdBlocks::Options{32, 32, false, 0});
  return *ids_;
}

Result<bool> AccountStore::relock() {
  auto l = FileLock::acquire(dir_ + "/lock", FileLock::Mode::kShared, true);
  if (!l) {
    if (l.error().kind == ErrorKind::kNotFound) return false;  // directory gone
    return std::move(l).error();
  }
  struct stat st;
  if (::fstat(l->fd(), &st) != 0) return internal_error("stat " + dir_ + "/lock");
  // Removal renames the directory away while holding the lock exclusively;
  // a lock file other than the first one means another directory.
  if (st.st_dev != lock_dev_ || st.st_ino != lock_ino_) return false;
  lock_ = std::move(*l);
  return true;
}

Status AccountStore::set_password(const PasswordRecord& p) {
  MOX_ASSIGN(auto q, db_.prepare("INSERT OR REPLACE INTO Password (ID, SCRAMSHA1Salt, "
                                 "SCRAMSHA1Iterations, SCRAMSHA1StoredKey, SCRAMSHA1ServerKey, "
                                 "SCRAMSHA256Salt, SCRAMSHA256Iterations, SCRAMSHA256StoredKey, "
                                 "SCRAMSHA256ServerKey, CRAMMD5Ipad, CRAMMD5Opad) "
                                 "VALUES (1,?,?,?,?,?,?,?,?,?,?)"));
  q.bind_blob(1, p.scram_sha1_salt).bind(2, p.scram_sha1_iterations);
  q.bind_blob(3, p.scram_sha1_stored_key).bind_blob(4, p.scram_sha1_server_key);
  q.bind_blob(5, p.scram_sha256_salt).bind(6, p.scram_sha256_iterations);
  q.bind_blob(7, p.scram_sha256_stored_key).bind_blob(8, p.scram_sha256_server_key);
  q.bind_blob(9, p.cram_md5_ipad).bind_blob(10, p.cram_md5_opad);
  return q.run();
}

Result<std::optional<PasswordRecord>> AccountStore::password() {
  MOX_ASSIGN(auto q,
             db_.prepare("SELECT SCRAMSHA1Salt, SCRAMSHA1Iterations, SCRAMSHA1StoredKey, "
                         "SCRAMSHA1ServerKey, SCRAMSHA256Salt, SCRAMSHA256Iterations, "
                         "SCRAMSHA256StoredKey, SCRAMSHA256ServerKey, CRAMMD5Ipad, CRAMMD5Opad "
                         "FROM Password WHERE ID=1"));
  MOX_ASSIGN(bool row, q.step());
  if (!row) return std::optional<PasswordRecord>();
  PasswordRecord p;
  q.cols(db::blob(p.scram_sha1_salt), p.scram_sha1_iterations, db::blob(p.scram_sha1_stored_key),
         db::blob(p.scram_sha1_server_key), db::blob(p.scram_sha256_salt),
         p.scram_sha256_iterations, db::blob(p.scram_sha256_stored_key),
         db::blob(p.scram_sha256_server_key), db::blob(p.cram_md5_ipad), db::blob(p.cram_md5_opad));
  return std::optional<PasswordRecord>(std::move(p));
}

Result<std::vector<MailboxInfo>> AccountStore::mailboxes() {
  MOX_ASSIGN(auto q, db_.prepare("SELECT ID, Name, SpecialUse, UIDValidity, UIDNext FROM Mailbox "
                                 "ORDER BY Name"));
  std::vector<MailboxInfo> out;
  while (true) {
    MOX_ASSIGN(bool row, q.step());
    if (!row) break;
    out.push_back({q.col_int(0), q.col_text(1), q.col_text(2), q.col_int(3), q.col_int(4)});
  }
  return out;
}

}  // namespace mox::store
