"""Walks a running server as one signed-in user and sends odd values through every form it
finds; prints each answer of 500 or above and exits 1 if there was one. Standard library only.

    probe_forms.py BASE_URL SESSION_COOKIE [MAX_PAGES]

It follows the site's own links from a few starting pages (at most three pages of each shape
of address, ids folded), and on each page:
  - every GET form (filters, searches): each field alone with each odd value below;
  - every POST form (once per shape of its action): all fields at once with each odd value,
    the page's CSRF token kept, redirects not followed.
Sign-in, sign-out, password and two-factor forms are left alone (they would end the session).
POST forms change data: run it against a copy, such as the database bench/consular/run.sh
loads, with a cookie from bench/consular/sign_in.py."""
import html
import random
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

# Text that does not compress: too long for an index entry on PostgreSQL (2,704 bytes).
NOISE = "".join(random.Random(7).choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(9000))
# Also sent by probe_api.py, which adds its own date-times and JSON values.
ODD = [
    "", "-1", "0", "99999999999999999999", "1e309", "null", "'\"<x>", "9999-99-99",
    "2026-02-30", "2026-13-01T25:61", "../../etc/passwd", "\x00x",
    "\u0640\u0640\u0640", "\ufdfa", "\u202eabc", "a" * 20000,
    # Past PostgreSQL's INTEGER and its dates; SQLite takes any 64-bit integer and any text.
    "2147483648", "-9223372036854775808", "99999-01-01", "0000-01-01", "275760-09-13T00:00",
    NOISE,
]
# Invalid UTF-8 once percent-decoded, sent as is in paths and query strings.
RAW_ODD = ["%FF%FE", "%C0%AF", "%"]
START = ["/", "/staff", "/account", "/admin", "/consular", "/abroad", "/appointments"]
LEAVE = ("sign-out", "sign-in", "password", "two-factor")
ID = re.compile(r"[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f-]{27}|\d+")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main():
    base, cookie = sys.argv[1], sys.argv[2]
    max_pages = int(sys.argv[3]) if len(sys.argv) > 3 else 150
    opener = urllib.request.build_opener(NoRedirect)
    langs = ["ar", "en", "fr"]
    sent = 0

    def request(path, data=None):
        nonlocal sent
        sent += 1
        req = urllib.request.Request(base + path, data=data, headers={
            "Cookie": "safir_session=" + cookie,
            "Origin": base,
            "Accept-Language": langs[sent % 3],
            "Content-Type": "application/x-www-form-urlencoded",
        })
        try:
            with opener.open(req, timeout=60) as r:
                return r.status, r.read().decode("utf-8", "replace"), r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace"), ""

    failures = []

    def check(code, what):
        if code >= 500:
            failures.append(what)
            print(code, what[:300], flush=True)

    queue, seen, shapes, posted = list(START), set(), {}, set()
    while queue and len(seen) < max_pages:
        path = queue.pop(0)
        if path in seen:
            continue
        shape = ID.sub("N", path.split("?")[0])
        if shapes.get(shape, 0) >= 3:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        seen.add(path)
        code, body, ctype = request(path)
        check(code, "GET " + path)
        if "html" not in ctype:
            continue
        for href in re.findall(r'href="(/[^"#]*)"', body):
            href = html.unescape(href)
            if not href.startswith("/static") and not any(k in href for k in LEAVE):
                queue.append(href)
        for attrs, inner in re.findall(r"<form([^>]*)>(.*?)</form>", body, re.S | re.I):
            method = re.search(r'method="(\w+)"', attrs, re.I)
            method = method.group(1).lower() if method else "get"
            action = re.search(r'action="([^"]*)"', attrs)
            target = html.unescape(action.group(1)) if action and action.group(1) else path.split("?")[0]
            if any(k in target for k in LEAVE):
                continue
            names = [n for n in dict.fromkeys(re.findall(r'name="([^"]+)"', inner)) if n != "csrf_token"]
            if method == "get":
                sep = "&" if "?" in target else "?"
                for name in names:
                    for odd in ODD + RAW_ODD:
                        value = odd if odd in RAW_ODD else urllib.parse.quote(odd)
                        url = f"{target}{sep}{urllib.parse.quote(name)}={value}"
                        check(request(url)[0], "GET " + url)
            else:
                form_shape = ID.sub("N", target)
                if form_shape in posted:
                    continue
                posted.add(form_shape)
                token = re.search(r'name="csrf_token" value="([^"]+)"', inner)
                for odd in ODD:
                    fields = [(n, odd) for n in names]
                    if token:
                        fields.append(("csrf_token", html.unescape(token.group(1))))
                    code, _, _ = request(target, urllib.parse.urlencode(fields).encode())
                    check(code, f"POST {target} (every field {odd[:20]!r})")
    print(f"{len(seen)} pages, {len(posted)} POST forms, {sent} requests, {len(failures)} answers of 500 or above")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
