"""SASL SCRAM client (RFC 5802, RFC 7677) with tls-exporter channel binding
(RFC 9266) for the -PLUS variants, shared by the SMTP and IMAP end-to-end
tests."""

import base64
import ctypes
import ctypes.util
import hashlib
import hmac
import os
import ssl
import sys
import unicodedata


def b64(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.b64encode(data).decode()


def saslname(s):
    return s.replace("=", "=3D").replace(",", "=2C")


class ScramError(Exception):
    pass


class ScramClient:
    def __init__(self, hashname, username, password, cbind=None, nonce=None, authzid=""):
        self.hashname = hashname  # "sha1" or "sha256"
        self.password = unicodedata.normalize("NFC", password)
        self.cbind = cbind
        self.gs2 = ("p=tls-exporter" if cbind is not None else "n") + "," + \
            ("a=" + saslname(authzid) if authzid else "") + ","
        self.nonce = nonce or b64(os.urandom(18))
        self.first_bare = "n=%s,r=%s" % (saslname(unicodedata.normalize("NFC", username)), self.nonce)
        self.server_signature = None

    def _hmac(self, key, msg):
        return hmac.new(key, msg, self.hashname).digest()

    def first(self):
        return (self.gs2 + self.first_bare).encode()

    def final(self, server_first):
        sf = server_first.decode()
        attrs = dict(kv.split("=", 1) for kv in sf.split(","))
        r = attrs["r"]
        if not r.startswith(self.nonce) or len(r) == len(self.nonce):
            raise ScramError("server nonce does not extend ours: %r" % sf)
        salt, iterations = base64.b64decode(attrs["s"]), int(attrs["i"])
        without_proof = "c=%s,r=%s" % (b64(self.gs2.encode() + (self.cbind or b"")), r)
        salted = hashlib.pbkdf2_hmac(self.hashname, self.password.encode(), salt, iterations)
        client_key = self._hmac(salted, b"Client Key")
        stored_key = hashlib.new(self.hashname, client_key).digest()
        auth_message = ("%s,%s,%s" % (self.first_bare, sf, without_proof)).encode()
        signature = self._hmac(stored_key, auth_message)
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        self.server_signature = self._hmac(self._hmac(salted, b"Server Key"), auth_message)
        return ("%s,p=%s" % (without_proof, b64(proof))).encode()

    def verify(self, server_final):
        sf = server_final.decode()
        if sf.startswith("e="):
            raise ScramError("server error " + sf)
        if not sf.startswith("v=") or base64.b64decode(sf[2:]) != self.server_signature:
            raise ScramError("bad server signature %r" % sf)


def tls_exporter(sslsock, label=b"EXPORTER-Channel-Binding", length=32):
    """The RFC 9266 tls-exporter channel binding of a connected ssl.SSLSocket,
    or None when it cannot be had.

    Python 3.11's ssl module has no exporter API, so this calls OpenSSL's
    SSL_export_keying_material through ctypes on the SSL* inside the socket
    object (CPython's PySSLSocket: PyObject_HEAD, Socket, ssl), after checking
    that the pointer really is this connection's SSL (same library, version
    and cipher)."""
    if hasattr(sslsock, "export_keying_material"):  # a future Python
        return sslsock.export_keying_material(label, length, None)
    if sys.implementation.name != "cpython" or hasattr(sys, "gettotalrefcount"):
        return None
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("ssl") or "libssl.so.3")
        lib.OpenSSL_version.restype = ctypes.c_char_p
        lib.OpenSSL_version.argtypes = [ctypes.c_int]
        if lib.OpenSSL_version(0).decode() != ssl.OPENSSL_VERSION:
            return None
        obj = sslsock._sslobj
        ptr = ctypes.c_void_p.from_address(id(obj) + 3 * ctypes.sizeof(ctypes.c_void_p)).value
        if not ptr:
            return None
        lib.SSL_get_version.restype = ctypes.c_char_p
        lib.SSL_get_version.argtypes = [ctypes.c_void_p]
        lib.SSL_is_server.argtypes = [ctypes.c_void_p]
        lib.SSL_get_current_cipher.restype = ctypes.c_void_p
        lib.SSL_get_current_cipher.argtypes = [ctypes.c_void_p]
        lib.SSL_CIPHER_get_name.restype = ctypes.c_char_p
        lib.SSL_CIPHER_get_name.argtypes = [ctypes.c_void_p]
        if lib.SSL_get_version(ptr).decode() != sslsock.version() or lib.SSL_is_server(ptr) != 0:
            return None
        if lib.SSL_CIPHER_get_name(lib.SSL_get_current_cipher(ptr)).decode() != sslsock.cipher()[0]:
            return None
        out = ctypes.create_string_buffer(length)
        lib.SSL_export_keying_material.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t,
            ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int]
        if lib.SSL_export_keying_material(ptr, out, length, label, len(label), None, 0, 0) != 1:
            return None
        return out.raw
    except (OSError, AttributeError, ValueError):
        return None


# ---------------------------------------------------------------------------
# Store inspection.
