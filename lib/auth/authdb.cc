#include "auth/authdb.h"

#include <openssl/evp.h>

#include "util/fs.h"

namespace mox::auth {
namespace {

const std::vector<std::string> kMigrations = {
    R"(
CREATE TABLE TLSPublicKey (
  Fingerprint TEXT PRIMARY KEY,
  Created INTEGER NOT NULL,
  Type TEXT NOT NULL,
  Name TEXT NOT NULL,
  NoIMAPPreauth INTEGER NOT NULL DEFAULT 0,
  CertDER BLOB NOT NULL,
  Account TEXT NOT NULL,
  LoginAddress TEXT NOT NULL
);
CREATE INDEX TLSPublicKeyAccount ON TLSPublicKey(Account);
CREATE TABLE LoginAttempt (
  Key BLOB PRIMARY KEY,
  Last INTEGER NOT NULL,
  First INTEGER NOT NULL,
  Count INTEGER NOT NULL,
  AccountName TEXT NOT NULL,
  LoginAddress TEXT NOT NULL,
  RemoteIP TEXT NOT NULL,
  LocalIP TEXT NOT NULL,
  TLS TEXT NOT NULL,
  TLSPubKeyFingerprint TEXT NOT NULL,
  Protocol TEXT NOT NULL,
  UserAgent TEXT NOT NULL,
  AuthMech TEXT NOT NULL,
  Result TEXT NOT NULL
);
CREATE INDEX LoginAttemptLast ON LoginAttempt(Last);
CREATE INDEX LoginAttemptAccountLast ON LoginAttempt(AccountName, Last);
CREATE TABLE LoginAttemptState (
  AccountName TEXT PRIMARY KEY,
  RecordsFailed INTEGER NOT NULL
);
CREATE TABLE AccountRemove (
  AccountName TEXT PRIMARY KEY
);
CREATE TABLE AuthFailure (
  ID INTEGER PRIMARY KEY,
  IPKey TEXT NOT NULL,
  Time INTEGER NOT NULL
);
CREATE INDEX AuthFailureKeyTime ON AuthFailure(IPKey, Time);
)",
    // The account a failure targeted (auth/limiter.h): a success clears only
    // the failures against its own account, and an account counts its own.
    R"(
ALTER TABLE AuthFailure ADD COLUMN Account TEXT NOT NULL DEFAULT '';
CREATE INDEX AuthFailureAccountTime ON AuthFailure(Account, Time);
)",
    // The servers' connections per remote address (auth/connlimit.h): Pid
    // and PidStart name the serving process while the connection is open;
    // Pid is 0 once it closed.
    R"(
CREATE TABLE Connection (
  ID INTEGER PRIMARY KEY,
  Service TEXT NOT NULL,
  IPKey TEXT NOT NULL,
  Time INTEGER NOT NULL,
  Pid INTEGER NOT NULL,
  PidStart INTEGER NOT NULL
);
CREATE INDEX ConnectionServiceKeyTime ON Connection(Service, IPKey, Time);
)",
};

std::string attempt_key(const LoginAttempt& a) {
  // SHA-256 over the concatenation without separators (docs/DESIGN.md "Login
  // attempts").
  std::string in = a.account_name + a.login_address + a.remote_ip + a.local_ip + a.tls +
                   a.tls_pubkey_fingerprint + a.protocol + a.user_agent + a.auth_mech + a.result;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(in.data(), in.size(), md, &n, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(md), n);
}

}  // namespace

Result<db::Db> open_auth_db(const std::string& data_dir) {
  MOX_TRY(mkdir_all(data_dir, 0770));
  return db::Db::open(data_dir + "/auth.db", kMigrations);
}

Status record_login_attempt(db::Db& db, const LoginAttempt& a, int64_t now, int64_t max_failed) {
  std::string key = attempt_key(a);
  MOX_ASSIGN(auto tx, db::Tx::begin(db));
  MOX_ASSIGN(auto up, db.prepare("UPDATE LoginAttempt SET Count=Count+1, Last=? WHERE Key=?"));
  MOX_TRY(up.bind(1, now).bind_blob(2, key).run());
  if (db.changes() == 0) {
    MOX_ASSIGN(auto ins,
               db.prepare("INSERT INTO LoginAttempt (Key, Last, First, Count, AccountName, "
                          "LoginAddress, RemoteIP, LocalIP, TLS, TLSPubKeyFingerprint, "
                          "Protocol, UserAgent, AuthMech, Result) "
                          "VALUES (?,?,?,1,?,?,?,?,?,?,?,?,?,?)"));
    ins.bind_blob(1, key).bind(2, now).bind(3, now).bind(4, a.account_name);
    ins.bind(5, a.login_address).bind(6, a.remote_ip).bind(7, a.local_ip).bind(8, a.tls);
    ins.bind(9, a.tls_pubkey_fingerprint).bind(10, a.protocol).bind(11, a.user_agent);
    ins.bind(12, a.auth_mech).bind(13, a.result);
    MOX_TRY(ins.run());
    if (a.result != "ok") {
      MOX_ASSIGN(auto st, db.prepare("INSERT INTO LoginAttemptState (AccountName, RecordsFailed) "
                                     "VALUES (?, 1) ON CONFLICT(AccountName) DO UPDATE SET "
                                     "RecordsFailed=RecordsFailed+1 RETURNING RecordsFailed"));
      st.bind(1, a.account_name);
      MOX_TRY(st.step());
      int64_t failed = st.col_int(0);
      MOX_TRY(st.run());
      if (failed > max_failed) {
        MOX_ASSIGN(auto del, db.prepare("DELETE FROM LoginAttempt WHERE Key IN (SELECT Key FROM "
                                        "LoginAttempt WHERE AccountName=? AND Result!='ok' "
                                        "ORDER BY Last ASC, rowid ASC LIMIT ?)"));
        MOX_TRY(del.bind(1, a.account_name).bind(2, failed - max_failed).run());
        MOX_ASSIGN(auto fix, db.prepare("UPDATE LoginAttemptState SET RecordsFailed=? "
                                        "WHERE AccountName=?"));
        MOX_TRY(fix.bind(1, max_failed).bind(2, a.account_name).run());
      }
    }
  }
  return tx.commit();
}

Result<std::vector<LoginAttempt>> list_login_attempts(db::Db& db, const std::string& account,
                                                      int limit) {
  MOX_ASSIGN(auto q,
             db.prepare("SELECT Last, First, Count, AccountName, LoginAddress, RemoteIP, "
                        "LocalIP, TLS, TLSPubKeyFingerprint, Protocol, UserAgent, AuthMech, "
                        "Result FROM LoginAttempt WHERE (?1='' OR AccountName=?1) "
                        "ORDER BY Last DESC, rowid DESC LIMIT ?2"));
  q.bind(1, account).bind(2, static_cast<int64_t>(limit > 0 ? limit : -1));
  return db::collect(q, [](const db::Stmt& r) {
    LoginAttempt a;
    r.cols(a.last, a.first, a.count, a.account_name, a.login_address, a.remote_ip, a.local_ip,
           a.tls, a.tls_pubkey_fingerprint, a.protocol, a.user_agent, a.auth_mech, a.result);
    return a;
  });
}

Result<int64_t> cleanup_login_attempts(db::Db& db, int64_t cutoff, int64_t max_failed) {
  MOX_ASSIGN(auto tx, db::Tx::begin(db));
  MOX_ASSIGN(auto del, db.prepare("DELETE FROM LoginAttempt WHERE Last<?"));
  MOX_TRY(del.bind(1, cutoff).run());
  int64_t n = db.changes();
  // The failed rows of each account beyond the newest `max_failed`.
  MOX_ASSIGN(auto cap,
             db.prepare("DELETE FROM LoginAttempt WHERE Key IN (SELECT Key FROM (SELECT Key, "
                        "ROW_NUMBER() OVER (PARTITION BY AccountName ORDER BY Last DESC, "
                        "rowid DESC) AS r FROM LoginAttempt WHERE Result!='ok') WHERE r>?)"));
  MOX_TRY(cap.bind(1, max_failed).run());
  n += db.changes();
  MOX_ASSIGN(auto fix,
             db.prepare("UPDATE LoginAttemptState SET RecordsFailed=(SELECT COUNT(*) FROM "
                        "LoginAttempt l WHERE l.AccountName=LoginAttemptState.AccountName AND "
                        "l.Result!='ok')"));
  MOX_TRY(fix.run());
  MOX_TRY(tx.commit());
  return n;
}

Result<std::vector<std::string>> pending_account_removals(db::Db& db) {
  MOX_ASSIGN(auto q, db.prepare("SELECT AccountName FROM AccountRemove ORDER BY AccountName"));
  return db::collect(q, [](const db::Stmt& r) { return r.col_text(0); });
}

Status add_account_removal(db::Db& db, const std::string& account) {
  MOX_ASSIGN(auto q, db.prepare("INSERT OR IGNORE INTO AccountRemove (AccountName) VALUES (?)"));
  return q.bind(1, account).run();
}

Status finish_account_removal_rows(db::Db& db, const std::string& account) {
  MOX_ASSIGN(auto tx, db::Tx::begin(db));
  for (const char* sql :
       {"DELETE FROM AccountRemove WHERE AccountName=?", "DELETE FROM TLSPublicKey WHERE Account=?",
        "DELETE FROM LoginAttempt WHERE AccountName=?",
        "DELETE FROM LoginAttemptState WHERE AccountName=?"}) {
    MOX_ASSIGN(auto q, db.prepare(sql));
    MOX_TRY(q.bind(1, account).run());
  }
  return tx.commit();
}

}  // namespace mox::auth
