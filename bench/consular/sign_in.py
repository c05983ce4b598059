"""Signs a demo account in through the real forms (password, then a TOTP code when the
account has a secret, as staff do) and prints the session cookie. Standard library only.

    sign_in.py BASE_URL ACCOUNTS_FILE EMAIL"""
import base64, hashlib, hmac, http.cookiejar, re, struct, sys, time, urllib.parse, urllib.request

base, accounts_file, email = sys.argv[1], sys.argv[2], sys.argv[3]
line = next(l for l in open(accounts_file, encoding="utf-8") if " %s " % email in l)
password = re.search(r"password: (\S+)", line).group(1)
secret = re.search(r"TOTP secret: (\S+)", line)

jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
opener.addheaders = [("Origin", base), ("Accept-Language", "en")]


def post(path, fields):
    page = opener.open(base + path).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return opener.open(base + path, urllib.parse.urlencode(dict(fields, csrf_token=token)).encode()).read().decode()


def totp(secret_b32, t):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(t) // 30), hashlib.sha1).digest()
    o = digest[19] & 15
    return "%06d" % ((struct.unpack(">I", digest[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)


post("/sign-in", {"email": email, "password": password})
if secret:
    post("/sign-in/two-factor", {"code": totp(secret.group(1), time.time())})
print(next(c.value for c in jar if c.name == "safir_session"))
