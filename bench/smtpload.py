#!/usr/bin/python3
"""SMTP load generator with per-message latency, for bench/smtp-bench.

Runs N concurrent sessions (asyncio, raw sockets, no pipelining) against one
SMTP server. Each session connects, says EHLO (optionally STARTTLS + EHLO
again), sends up to --per-conn messages over that connection (MAIL, RCPT,
DATA, body, each waiting for its reply), says QUIT, and reconnects, until
--duration seconds have passed or --count messages have been sent in all.

Latency of one message: from sending MAIL FROM to receiving the final reply
after the end of DATA. Prints one JSON object on stdout.

With --connect-only, sessions only do connect + banner + EHLO + QUIT in a
loop (connection rate; per-connection latency is measured instead).
"""
import argparse
import asyncio
import json
import os
import resource
import ssl
import sys
import time


def make_message(size, seq, tag):
    """A message of about `size` bytes (headers included), lines of 78 chars,
    already dot-safe, ending in CRLF.CRLF."""
    head = (
        "From: <sender@remote.example>\r\n"
        "To: <admin@mox.example>\r\n"
        f"Subject: bench {tag} {seq}\r\n"
        f"Message-ID: <{tag}.{seq}@remote.example>\r\n"
        "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"
        "\r\n"
    ).encode()
    line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcd\r\n"
    n = max(1, (size - len(head)) // len(line))
    return head + line * n


class SMTPError(Exception):
    pass


async def read_reply(reader):
    lines = []
    while True:
        line = await reader.readline()
        if not line:
            raise SMTPError("connection closed")
        lines.append(line)
        if len(line) < 4 or line[3:4] != b"-":
            break
    code = int(lines[-1][:3])
    return code, b"".join(lines)


async def expect(reader, want):
    code, text = await read_reply(reader)
    if code != want:
        raise SMTPError(f"expected {want}, got {text.decode(errors='replace').strip()!r}")


class Stats:
    def __init__(self):
        self.lat = []  # seconds per message (or per connection with --connect-only)
        self.ehlo_tls = []  # seconds for the EHLO right after the TLS handshake
        self.ok = 0
        self.errors = 0
        self.conns = 0
        self.error_samples = []

    def error(self, what):
        self.errors += 1
        if len(self.error_samples) < 10:
            self.error_samples.append(what)


async def session(a, stats, budget, body_for, sslctx, deadline):
    while time.monotonic() < deadline and (budget is None or budget[0] > 0):
        t_conn = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection(a.host, a.port)
        except OSError as e:
            stats.error(f"connect: {e}")
            await asyncio.sleep(0.05)
            continue
        stats.conns += 1
        try:
            await expect(reader, 220)
            writer.write(b"EHLO client.remote.example\r\n")
            await expect(reader, 250)
            if sslctx is not None:
                writer.write(b"STARTTLS\r\n")
                await expect(reader, 220)
                await writer.start_tls(sslctx, server_hostname=a.tls_name)
                t_e = time.perf_counter()
                writer.write(b"EHLO client.remote.example\r\n")
                await expect(reader, 250)
                stats.ehlo_tls.append(time.perf_counter() - t_e)
            if a.connect_only:
                writer.write(b"QUIT\r\n")
                await expect(reader, 221)
                stats.lat.append(time.perf_counter() - t_conn)
                stats.ok += 1
                continue
            for _ in range(a.per_conn):
                if time.monotonic() >= deadline:
                    break
                if budget is not None:
                    if budget[0] <= 0:
                        break
                    budget[0] -= 1
                body = body_for()
                t0 = time.perf_counter()
                writer.write(b"MAIL FROM:<sender@remote.example>\r\n")
                await expect(reader, 250)
                writer.write(b"RCPT TO:<" + a.rcpt.encode() + b">\r\n")
                await expect(reader, 250)
                writer.write(b"DATA\r\n")
                await expect(reader, 354)
                writer.write(body)
                writer.write(b".\r\n")
                await expect(reader, 250)
                stats.lat.append(time.perf_counter() - t0)
                stats.ok += 1
            writer.write(b"QUIT\r\n")
            await expect(reader, 221)
        except (SMTPError, OSError, ssl.SSLError, asyncio.IncompleteReadError) as e:
            stats.error(str(e))
        finally:
            try:
                writer.close()
                await asyncio.wait_for(writer.wait_closed(), 5)
            except Exception:
                pass


def pct(sorted_vals, p):
    if not sorted_vals:
        return None
    k = min(len(sorted_vals) - 1, max(0, int(round(p / 100.0 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[k]


async def main_async(a):
    sslctx = None
    if a.starttls:
        sslctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        sslctx.check_hostname = False
        sslctx.verify_mode = ssl.CERT_NONE
    seq = [0]
    tag = f"{os.getpid()}"
    bodies = {}

    def body_for():
        seq[0] += 1
        # Distinct Message-ID per message; the body is shared (cheap).
        if a.size not in bodies:
            bodies[a.size] = make_message(a.size, 0, tag)
        b = bodies[a.size]
        mid = f"<{tag}.0@remote.example>".encode()
        return b.replace(mid, f"<{tag}.{seq[0]}@remote.example>".encode(), 1)

    stats = Stats()
    budget = [a.count] if a.count else None
    start_wall = time.time()
    t0 = time.monotonic()
    deadline = t0 + a.duration
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(*(session(a, stats, budget, body_for, sslctx, deadline) for _ in range(a.sessions)))
    elapsed = time.monotonic() - t0
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    lat = sorted(stats.lat)
    out = {
        "sessions": a.sessions,
        "size": a.size,
        "ok": stats.ok,
        "errors": stats.errors,
        "error_samples": stats.error_samples,
        "connections": stats.conns,
        "elapsed": elapsed,
        "start_wall": start_wall,
        "rate": stats.ok / elapsed if elapsed > 0 else 0,
        "p50_ms": pct(lat, 50) * 1000 if lat else None,
        "p99_ms": pct(lat, 99) * 1000 if lat else None,
        "max_ms": lat[-1] * 1000 if lat else None,
        "ehlo_after_tls_p50_ms": pct(sorted(stats.ehlo_tls), 50) * 1000 if stats.ehlo_tls else None,
        "client_cpu_s": (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime),
    }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--sessions", type=int, default=1)
    p.add_argument("--size", type=int, default=4096, help="message size in bytes (headers included)")
    p.add_argument("--per-conn", type=int, default=10, help="messages per connection")
    p.add_argument("--duration", type=float, default=5.0, help="seconds (upper bound)")
    p.add_argument("--count", type=int, default=0, help="stop after this many messages in all")
    p.add_argument("--rcpt", default="admin@mox.example")
    p.add_argument("--starttls", action="store_true")
    p.add_argument("--tls-name", default="mail.mox.example")
    p.add_argument("--connect-only", action="store_true", help="connect+EHLO+QUIT loop")
    a = p.parse_args()
    asyncio.run(main_async(a))


if __name__ == "__main__":
    main()
