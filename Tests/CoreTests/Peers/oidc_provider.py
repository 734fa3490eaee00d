"""An OpenID provider for the sign-in tests: oidc-provider-mock (PyPI) on loopback, with two
additions made here, beside it:

- PKCE is enforced: the authorization request must carry an S256 code_challenge, and the token
  request's code_verifier must match it (oidc-provider-mock accepts any);
- `PUT /test/forge` with {"mode": MODE} makes the next ID token a bad one, re-signed here with
  joserfc: bad-signature (another key, the provider's kid), wrong-aud, azp-other (two audiences,
  requested by the other), expired, future-iat,
  alg-none, hs256 (HMAC keyed with the provider's public key), wrong-nonce, unverified,
  rotated (a new RSA key with a new kid, published in the JWKS from then on) and es256 (a P-256
  key, published the same way).

Users and their claims are set with oidc-provider-mock's own `PUT /users/<sub>`. The issuer is
http://127.0.0.1:PORT. Prints "ready PORT" once it listens; stops when its standard input closes.

usage: oidc_provider.py
"""
import base64
import hashlib
import hmac
import json
import logging
import sys
import threading
import time
from urllib.parse import parse_qs, urlparse

import flask
import oidc_provider_mock
import werkzeug.serving
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

logging.disable(logging.WARNING)

app = oidc_provider_mock.app(require_nonce=True)
lock = threading.Lock()
challenges = {}  # authorization code -> S256 challenge
forge = {"mode": None}
published = []  # extra public keys in the JWKS (rotation, ES256)


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def provider_key():
    return RSAKey.import_key(flask.g.oidc_provider_mock_storage.jwk.as_dict(is_private=True))


@app.put("/test/forge")
def set_forge():
    with lock:
        forge["mode"] = flask.request.get_json()["mode"]
    return "", 204


@app.before_request
def check_pkce():
    request = flask.request
    if request.path == "/oauth2/authorize" and request.method == "POST":
        if request.args.get("code_challenge_method") != "S256" or not request.args.get("code_challenge"):
            return flask.jsonify(error="invalid_request", error_description="PKCE S256 is required"), 400
    if request.path == "/oauth2/token" and request.form.get("grant_type") == "authorization_code":
        with lock:
            challenge = challenges.pop(request.form.get("code", ""), None)
        verifier = request.form.get("code_verifier", "")
        if challenge is None or b64(hashlib.sha256(verifier.encode()).digest()) != challenge:
            return flask.jsonify(error="invalid_grant", error_description="PKCE verification failed"), 400
    return None


def forged(token, mode):
    key = provider_key()
    claims = jwt.decode(token, key).claims
    header = {"alg": "RS256", "kid": key.kid}
    if mode == "wrong-aud":
        claims["aud"] = "another-client"
    elif mode == "expired":
        claims["exp"] = int(time.time()) - 3600
        claims["iat"] = int(time.time()) - 7200
    elif mode == "future-iat":
        claims["iat"] = int(time.time()) + 3600
    elif mode == "azp-other":
        claims["aud"] = [claims["aud"][0] if isinstance(claims["aud"], list) else claims["aud"], "another-client"]
        claims["azp"] = "another-client"
    elif mode == "wrong-nonce":
        claims["nonce"] = "not-the-nonce"
    elif mode == "unverified":
        claims["email_verified"] = False
    elif mode == "bad-signature":
        key = RSAKey.generate_key(2048, parameters={"kid": key.kid})
    elif mode == "rotated":
        key = RSAKey.generate_key(2048, parameters={"kid": "rotated-%d" % len(published)})
        header["kid"] = key.kid
        published.append(key.as_dict(private=False))
    elif mode == "es256":
        key = ECKey.generate_key("P-256", parameters={"kid": "ec-%d" % len(published)})
        header = {"alg": "ES256", "kid": key.kid}
        published.append(key.as_dict(private=False))
    elif mode == "alg-none":
        body = b64(json.dumps({"alg": "none"}).encode()) + "." + b64(json.dumps(claims).encode())
        return body + "."
    elif mode == "hs256":
        public = key.as_dict(private=False)["n"].encode()
        signing = b64(json.dumps({"alg": "HS256", "kid": key.kid}).encode()) + "." + b64(json.dumps(claims).encode())
        return signing + "." + b64(hmac.new(public, signing.encode(), hashlib.sha256).digest())
    return jwt.encode(header, claims, key, algorithms=[header["alg"]])


@app.after_request
def after(response):
    request = flask.request
    if request.path == "/oauth2/authorize" and response.status_code == 302:
        code = parse_qs(urlparse(response.headers.get("Location", "")).query).get("code", [None])[0]
        if code:
            with lock:
                challenges[code] = request.args.get("code_challenge")
    elif request.path == "/oauth2/token" and response.status_code == 200:
        with lock:
            mode, forge["mode"] = forge["mode"], None
        if mode:
            answer = json.loads(response.get_data())
            answer["id_token"] = forged(answer["id_token"], mode)
            response.set_data(json.dumps(answer))
    elif request.path == "/jwks" and published:
        keys = json.loads(response.get_data())
        keys["keys"].extend(published)
        response.set_data(json.dumps(keys))
    return response


server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
print("ready %d" % server.server_port, flush=True)
sys.stdin.read()
server.shutdown()
