"""Signs a demo staff account in through the real forms (password, then TOTP) and creates a
read-only API token; prints "<session cookie> <token>". Standard library only."""
import base64, hashlib, hmac, http.cookiejar, re, struct, sys, time, urllib.parse, urllib.request

base, accounts_file, email = sys.argv[1], sys.argv[2], sys.argv[3]
line = next(l for l in open(accounts_file, encoding="utf-8") if email in l)
password = re.search(r"password: (\S+)", line).group(1)
secret = re.search(r"TOTP secret: (\S+)", line).group(1)

jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
opener.addheaders = [("Origin", base), ("Accept-Language", "en")]

def token_from(path):
    page = opener.open(base + path).read().decode()
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

def post(path, fields, form_page=None):
    fields = dict(fields, csrf_token=token_from(form_page or path))
    return opener.open(base + path, urllib.parse.urlencode(fields).encode()).read().decode()

def totp(secret_b32, t):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(t) // 30), hashlib.sha1).digest()
    o = digest[19] & 15
    return "%06d" % ((struct.unpack(">I", digest[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)

post("/sign-in", {"email": email, "password": password})
post("/sign-in/two-factor", {"code": totp(secret, time.time())})
page = post("/account/tokens", {"name": "bench", "scope_read": "on", "expires": ""}, form_page="/account")
token = re.search(r"(safir_[A-Za-z0-9_-]{20,})", page).group(1)
cookie = next(c.value for c in jar if c.name == "safir_session")
print(cookie, token)
