"""A real SMTP server for the mail tests: aiosmtpd with STARTTLS required and AUTH LOGIN/PLAIN
against one user. Each message is written to DIRECTORY as NNNN.eml: a JSON line (envelope, TLS,
login) and then the message as received. Prints "ready PORT" once it listens.

usage: smtp_server.py DIRECTORY CERT KEY USER PASSWORD
"""
import json
import os
import socket
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

directory, cert, key, user, password = sys.argv[1:6]


class Handler:
    async def handle_DATA(self, server, session, envelope):
        count = len([n for n in os.listdir(directory) if n.endswith(".eml")])
        path = os.path.join(directory, "%04d.eml" % (count + 1))
        meta = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "authenticated": bool(session.authenticated),
        }
        with open(path + ".part", "wb") as out:
            out.write(json.dumps(meta).encode() + b"\n" + envelope.original_content)
        os.rename(path + ".part", path)
        return "250 OK kept"


def authenticate(server, session, envelope, mechanism, data):
    good = (
        isinstance(data, LoginPassword)
        and data.login.decode() == user
        and data.password.decode() == password
    )
    return AuthResult(success=good)


probe = socket.socket()
probe.bind(("127.0.0.1", 0))
port = probe.getsockname()[1]
probe.close()
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
controller = Controller(
    Handler(), hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
    authenticator=authenticate, auth_required=True, auth_require_tls=True,
    server_hostname="localhost")
controller.start()
print("ready %d" % port, flush=True)
try:
    while sys.stdin.read(1):
        pass
finally:
    controller.stop()
