#!/usr/bin/env python3
"""fakepeer.py: a scripted fake peer, for faults a real server never makes.

Usage: fakepeer.py --udp|--tcp [--text] --port N [--addr 127.0.0.1]
       --script FILE [--log FILE] [--pidfile FILE] [--loop] [--timeout SECS]

Binds ADDR:PORT (PORT 0: any free port), prints the port as line 1 of
stdout, then runs FILE, as DNS over UDP (--udp), DNS over TCP with the
2-byte length prefix (--tcp), or a line protocol such as SMTP, POP3 or
IMAP over TCP (--tcp --text).  A UDP and a TCP peer may share a port.
At the end of FILE, or when the client closes during recv, the peer
exits (--loop: runs FILE again); after --timeout (30) s it exits 1.
--log: a line per message received: DNS "HEX QNAME QTYPE" (no length
prefix; "-" if unparsable), text: the line less CRLF, controls as \\xHH.

FILE has one action a line; blank lines and # comments are skipped.
Over TCP the first action that needs a connection accepts one.
  recv              read one DNS message (UDP: note its sender) or line
  recv-until LINE   text: read lines until one equals LINE (SMTP DATA)
  send HEX          send these bytes as they are (no length prefix)
  sendline TEXT     send TEXT and CRLF; TEXT may hold \\r \\n \\t \\\\ \\xHH
  reply [WORD...]   answer the last query: its ID, opcode, RD, question;
                    QR and RA set; no records unless given.  WORDs:
      NOERROR FORMERR SERVFAIL NXDOMAIN NOTIMP REFUSED, rcode=N
      aa tc (or truncated) ad cd  set that flag; nora, noqr clear one
      wrong-id (ID + 1), id=N     from-other-port (UDP: another socket)
      noquestion, qname=NAME, qtype=N     edns[=SIZE] (OPT, def. 1232)
      ttl=N (default 300), answer, authority, additional: TTL, section
        of the records after it
      TYPE:DATA, a record owned by the question's name: A:192.0.2.1
        AAAA:2001:db8::1 NS: CNAME: PTR:host.example. MX:10:mx.example.
        TXT:text (\\x20 for a space) TYPE65400:0a000001 (any type, hex)
  garbage N         send N random bytes
  drop [N]          send the first N bytes (default half) of what a bare
                    "reply" would send; over TCP, then reset the connection
  stall SECS        sleep (fractions allowed)
  close             TCP: close the connection (the next needs a new one)
  starttls CERT KEY TCP: the TLS handshake as the server, with the
                    certificate chain file CERT and key file KEY; later
                    recv, send and sendline go through TLS.  The log
                    gets a line "-- tls --" (and "-- dropped N bytes
                    --" first, should the client have sent unread bytes
                    before it); a failed handshake ends the connection
  exit              stop now
"""
import argparse, os, signal, socket, ssl, struct, sys, time

RCODES = {"NOERROR": 0, "FORMERR": 1, "SERVFAIL": 2, "NXDOMAIN": 3,
          "NOTIMP": 4, "REFUSED": 5}
FLAGS = dict(aa=0x0400, tc=0x0200, truncated=0x0200, ad=0x0020, cd=0x0010)
TYPES = dict(A=1, NS=2, CNAME=5, PTR=12, MX=15, TXT=16, AAAA=28)
ACTIONS = {"recv", "recv-until", "send", "sendline", "reply", "garbage",
           "drop", "stall", "close", "exit", "starttls"}


def unescape(s):
    return s.encode("latin-1").decode("unicode_escape").encode("latin-1")


def wire_name(name):
    labels = [unescape(label) for label in name.strip(".").split(".") if label]
    return b"".join(bytes([len(label)]) + label for label in labels) + b"\0"


def parse_question(msg):
    """Return (qname, qtype, end offset of the question) or None."""
    pos, labels = 12, []
    try:
        if msg[4:6] == b"\0\0":  # QDCOUNT 0
            return None
        while 0 < msg[pos] < 64:
            labels.append(msg[pos + 1:pos + 1 + msg[pos]].decode("latin-1"))
            pos += 1 + msg[pos]
        if msg[pos] or len(msg) < pos + 5:
            return None
    except IndexError:
        return None
    qtype = struct.unpack(">H", msg[pos + 1:pos + 3])[0]
    return ".".join(labels) + ".", qtype, pos + 5


def rdata(rtype, data):
    if rtype in ("A", "AAAA"):
        return socket.inet_pton(socket.AF_INET if rtype == "A"
                                else socket.AF_INET6, data)
    if rtype in ("NS", "CNAME", "PTR"):
        return wire_name(data)
    if rtype == "MX":
        pref, host = data.split(":", 1)
        return struct.pack(">H", int(pref)) + wire_name(host)
    if rtype == "TXT":
        raw = unescape(data)
        return b"".join(bytes([len(raw[i:i + 255])]) + raw[i:i + 255]
                        for i in range(0, max(len(raw), 1), 255))
    return bytes.fromhex(data)


def build_reply(query, words):
    qid, qflags = struct.unpack(">HH", query[:4].ljust(4, b"\0"))
    flags = 0x8000 | (qflags & 0x7900) | 0x0080
    q = parse_question(query)
    question = query[12:q[2]] if q else b""
    qname = wire_name(q[0]) if q else b"\0"
    ttl, edns, section = 300, None, 0
    rrs = [[], [], []]
    for w in words:
        key, _, val = w.partition("=")
        if w in RCODES or key == "rcode":
            flags = (flags & ~0xf) | (RCODES[w] if w in RCODES else int(val))
        elif w in FLAGS:
            flags |= FLAGS[w]
        elif w in ("nora", "noqr"):
            flags &= ~(0x0080 if w == "nora" else 0x8000)
        elif w == "wrong-id" or key == "id":
            qid = int(val) if val else (qid + 1) & 0xffff
        elif w == "noquestion":
            question = b""
        elif key == "qname":
            qname = wire_name(val)
            question = qname + question[-4:] if question else b""
        elif key == "qtype" and question:
            qtype = struct.pack(">H", int(val))
            question = question[:-4] + qtype + question[-2:]
        elif key == "edns":
            edns = int(val or 1232)
        elif key == "ttl":
            ttl = int(val)
        elif w in ("answer", "authority", "additional"):
            section = ("answer", "authority", "additional").index(w)
        elif ":" in w and w != "from-other-port":
            rtype, data = w.split(":", 1)
            num = TYPES.get(rtype) or int(rtype.upper().replace("TYPE", ""))
            rd = rdata(rtype, data)
            head = struct.pack(">HHIH", num, 1, ttl, len(rd))
            rrs[section].append(qname + head + rd)
        elif w != "from-other-port":
            raise ValueError("reply: unknown word " + w)
    if edns is not None:
        rrs[2].append(b"\0" + struct.pack(">HHIH", 41, edns, 0, 0))
    head = struct.pack(">HHHHHH", qid, flags, 1 if question else 0,
                       len(rrs[0]), len(rrs[1]), len(rrs[2]))
    return head + question + b"".join(b"".join(s) for s in rrs)


class Peer:
    def __init__(self, args):
        self.args = args
        self.fam = socket.AF_INET6 if ":" in args.addr else socket.AF_INET
        self.sock = socket.socket(self.fam, socket.SOCK_DGRAM if args.udp
                                  else socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((args.addr, args.port))
        if not args.udp:
            self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.conn, self.buf, self.query, self.client = None, b"", b"", None
        self.log = open(args.log, "a", buffering=1) if args.log else None

    def note(self, line):
        if self.log:
            self.log.write(line + "\n")

    def connection(self):
        if self.conn is None:
            self.conn, self.buf = self.sock.accept()[0], b""
        return self.conn

    def close(self, reset=False):
        if self.conn is not None:
            if reset:
                self.conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                     struct.pack("ii", 1, 0))
            self.conn.close()
            self.conn = None

    def read_until(self, want):
        """Read from the connection until want(buf) gives an end offset."""
        conn = self.connection()
        while want(self.buf) is None:
            chunk = conn.recv(65536)
            if not chunk:
                self.close()
                raise EOFError()
            self.buf += chunk
        end = want(self.buf)
        data, self.buf = self.buf[:end], self.buf[end:]
        return data

    def recv(self):
        if self.args.text:
            line = self.read_until(lambda b: b.find(b"\n") + 1 or None)
            line = line[:-2] if line.endswith(b"\r\n") else line
            self.note("".join(chr(c) if 32 <= c < 127 or c == 9
                              else "\\x%02x" % c for c in line))
            return line.decode("latin-1")
        if self.args.udp:
            self.query, self.client = self.sock.recvfrom(65535)
        else:
            head = self.read_until(lambda b: 2 if len(b) >= 2 else None)
            n = struct.unpack(">H", head)[0]
            self.query = self.read_until(lambda b: n if len(b) >= n else None)
        q = parse_question(self.query)
        self.note("%s %s %s" % (self.query.hex(), q[0] if q else "-",
                                q[1] if q else "-"))

    def out(self, data, other_port=False):
        if not self.args.udp:
            self.connection().sendall(data)
        elif self.client is None:
            raise ValueError("UDP: nothing received yet, no one to send to")
        elif other_port:
            with socket.socket(self.fam, socket.SOCK_DGRAM) as s:
                s.sendto(data, self.client)
        else:
            self.sock.sendto(data, self.client)

    def frame(self, msg):
        return msg if self.args.udp else struct.pack(">H", len(msg)) + msg

    def do(self, action, rest):
        if action == "recv":
            self.recv()
        elif action == "recv-until":
            while self.recv() != rest:
                pass
        elif action == "send":
            self.out(bytes.fromhex(rest))
        elif action == "sendline":
            self.out(unescape(rest) + b"\r\n")
        elif action == "reply":
            words = rest.split()
            self.out(self.frame(build_reply(self.query, words)),
                     "from-other-port" in words)
        elif action == "garbage":
            self.out(os.urandom(int(rest)))
        elif action == "drop":
            data = self.frame(build_reply(self.query, []))
            self.out(data[:int(rest) if rest else len(data) // 2])
            self.close(reset=True)
        elif action == "stall":
            time.sleep(float(rest))
        elif action == "close":
            self.close()
        elif action == "exit":
            raise SystemExit(0)
        elif action == "starttls":
            self.starttls(*rest.split())

    def starttls(self, cert, key):
        """Wrap the connection in TLS as a server; nothing read before
        the handshake is kept (the log says how much was dropped)."""
        conn = self.connection()
        if self.buf:
            self.note("-- dropped %d bytes --" % len(self.buf))
            self.buf = b""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.note("-- tls --")
        try:
            self.conn = ctx.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.note("-- tls failed: %s --" % e)
            conn.close()
            self.conn = None
            raise EOFError()


def main():
    p = argparse.ArgumentParser(description="scripted fake DNS/text peer")
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--udp", action="store_true")
    mode.add_argument("--tcp", action="store_true")
    p.add_argument("--text", action="store_true", help="line protocol (TCP)")
    p.add_argument("--addr", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--script", required=True)
    p.add_argument("--log")
    p.add_argument("--pidfile")
    p.add_argument("--loop", action="store_true")
    p.add_argument("--timeout", type=float, default=30)
    args = p.parse_args()
    if args.text and args.udp:
        p.error("--text needs --tcp")
    script = []
    with open(args.script) as f:
        for n, line in enumerate(f, 1):
            action, _, rest = line.strip(" \t\r\n").partition(" ")
            if not action or action.startswith("#"):
                continue
            try:
                if action not in ACTIONS:
                    raise ValueError("unknown action " + action)
                if action == "reply":
                    build_reply(bytes(12), rest.split())
                if action == "starttls" and (args.udp or
                                             len(rest.split()) != 2):
                    raise ValueError("starttls: needs --tcp, CERT and KEY")
            except (ValueError, OSError) as e:
                p.error("%s:%d: %s" % (args.script, n, e))
            script.append((action, rest))

    signal.signal(signal.SIGALRM, lambda *_: sys.exit(
        "fakepeer: timeout after %g s" % args.timeout))
    signal.setitimer(signal.ITIMER_REAL, args.timeout)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    peer = Peer(args)
    if args.pidfile:
        open(args.pidfile, "w").write("%d\n" % os.getpid())
    print(peer.port, flush=True)
    try:
        while True:
            try:
                for action, rest in script:
                    peer.do(action, rest)
            except EOFError:  # the client closed
                pass
            except OSError as e:
                print("fakepeer: %s" % e, file=sys.stderr)
            peer.close()
            if not args.loop:
                break
    finally:
        if args.pidfile and os.path.exists(args.pidfile):
            os.unlink(args.pidfile)


if __name__ == "__main__":
    main()
