#!/usr/bin/env python3
"""make_corpus.py — writes the seed corpora of tests/fuzz/corpus/.

Run once (the output is committed); run again to refresh.  Sources:
  - ../shared/bench/gen-crm-data --messy (deterministic CRM CSV data);
  - ../shared/testdata/JSONTestSuite/test_parsing (files of at most 4 KiB:
    libFuzzer's default -max_len);
  - hand-written money, date, timestamp, phone, e-mail, name and UTF-8
    strings, --where expressions and record encodings (record.h).

Usage: tests/fuzz/make_corpus.py [SHARED_DIR]   (default ../shared)
"""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "..", "shared")
CORPUS = os.path.join(HERE, "corpus")


def put(target, data, name=None):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    name = name or hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def reset(target):
    shutil.rmtree(os.path.join(CORPUS, target), ignore_errors=True)


# ---- CSV: generated data, first lines of each file, and odd shapes ----
def csv_seeds():
    reset("fuzz_csv")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([os.path.join(SHARED, "bench", "gen-crm-data"),
                        "--customers", "40", "--seed", "11", "--messy", tmp],
                       check=True, stdout=subprocess.DEVNULL)
        for fn in sorted(os.listdir(tmp)):
            with open(os.path.join(tmp, fn), "rb") as f:
                lines = f.read().split(b"\n")
            base = fn.split(".")[0]
            put("fuzz_csv", b"\n".join(lines[:6]) + b"\n", base + "-head")
            # CRLF and no final newline
            put("fuzz_csv", b"\r\n".join(lines[:4]), base + "-crlf")
            # the header with single rows from the middle
            for i in (10, 20):
                if i < len(lines) and lines[i]:
                    put("fuzz_csv", lines[0] + b"\n" + lines[i] + b"\n",
                        "%s-row%d" % (base, i))
    odd = {
        "quoted-newline": 'name,notes\n"Ann","two\nlines"\n"Bob","say ""hi"""\n',
        "ragged": "name,email\nAnn\nBob,b@x.io,extra\n",
        "stray-quote": 'name,tier\nAn"n,A\n',
        "unterminated": 'name,notes\nAnn,"open\n',
        "dup-header": "name,name\nx,y\n",
        "empty-header": "name,,tier\na,b,c\n",
        "blank-lines": "name\n\n  \nAnn\n\n",
        "spaces": 'name,tier\n  Ann  ," B "\n',
        "custom": "name,colour,score\nAnn,blue,10\nBob,,9.5\n",
        "system": "id,name,updated_at,created_at\n5,Ann,2020-01-01,2021-02-03T04:05:06+07:00\n",
        "money": "title,customer,amount,currency,probability,expected_close\n"
                 "Big,1,\"1,234.50\",EUR,50,+30d\nYen,2,1500,JPY,0,2026/1/5\n"
                 "Dinar,3,12.345,kwd,100,today\n",
        "tags": "name,tags\nAnn,\" vip ; newsletter,vip;;\"\n",
        "tsv": "name\temail\nAnn\ta@b.co\nBob\\tX\tb@c.io\n",
        "ids": "12\n13\n  14  \n",
        "refs": "ext:E0001\nemail:ann@example.com\n",
        "json": '[{"name":"Ann","tier":"A"}]\n',
        "ndjson": '{"name":"Ann"}\n{"name":"Bob","tags":["a","b"]}\n',
        "bom-only": "\ufeff",
        "nul": "name\nA\x00nn\n",
        "bad-utf8": b"name\nA\xc3\x28nn\n",
        "overlong": b"name\n\xc0\xafx\n",
        "cr-only": "name,tier\rAnn,A\rBob,B\r",
    }
    for k, v in odd.items():
        put("fuzz_csv", v, k)


# ---- JSON: the conformance suite, and records ----
def json_seeds():
    reset("fuzz_json")
    src = os.path.join(SHARED, "testdata", "JSONTestSuite", "test_parsing")
    for fn in sorted(os.listdir(src)):
        p = os.path.join(src, fn)
        if os.path.getsize(p) <= 4096:
            with open(p, "rb") as f:
                put("fuzz_json", f.read(), "suite-" + fn.replace(".json", ""))
    recs = {
        "array": '[\n {"name":"Ann","email":"A@B.co","tags":["vip","x"],"score":12.50},\n'
                 ' {"name":"Bob","kind":"person","primary":true,"notes":null}\n]\n',
        "ndjson": '{"name":"Ann","amount":1234.50,"currency":"EUR"}\n\n'
                  '{"name":"\\u5f20\\u4e09","phone":"+86 138 0000 0021"}\r\n',
        "escapes": '{"a\\u0062":"\\ud83d\\ude00\\n\\t\\"\\\\\\/","n":-0.0e+1}',
        "nested": '[{"name":"x","o":{"a":1}},{"name":"y","t":[[1]]}]',
        "dupkey": '{"email":"a@b.c","\\u0065mail":"d@e.f"}',
        "manykeys": "{" + ",".join('"k%d":%d' % (i, i) for i in range(40)) + "}",
        "manykeys-dup": "{" + ",".join('"k%d":%d' % (i % 30, i) for i in range(40)) + "}",
        "nested-big": '{"a":{' + ",".join('"k%d":{"x":%d}' % (i, i) for i in range(20)) + '},"b":1}',
        "deep": "[" * 511 + "]" * 511,
        "too-deep": "[" * 513 + "]" * 513,
        "huge-exp": '{"a":1e999}',
        "edge-exp": '{"a":1.7976931348623157e308,"b":1.7976931348623159e308}',
        "bom": '\ufeff[{"a":"b"}]',
        "trailing": '[{"a":1}] x',
        "nul-escape": '{"a":"x\\u0000y"}',
    }
    for k, v in recs.items():
        put("fuzz_json", v, k)


# ---- values: selector byte, then the text (see fuzz_values.c) ----
def values_seeds():
    reset("fuzz_values")
    sel = {"money": 0, "money_int": 1, "int": 2, "date": 3, "time": 4,
           "cal": 5, "dur": 6, "email": 7, "phone": 8, "name": 9,
           "utf8": 10, "other": 11, "tags": 12}
    cases = {
        "money": ["1234.5", "-0.05", "1,234.50", "12,5", "1,234,567.000",
                  "+7", "92233720368547758.07", "9223372036854775807",
                  "0.1234", " 3.10 ", "1.", ".5", "1,23"],
        "int": ["0", "-9223372036854775808", "9223372036854775807",
                "+12", " 42\t", "1e3", "--1", "100", "101"],
        "date": ["2024-02-29", "2023-02-29", "2024/1/5", "0001-01-01",
                 "9999-12-31", "today", "yesterday", "tomorrow", "+7d",
                 "-30d", "-2w", "-1m", "+1y", "+1000000y",
                 "2024-01-31T23:59:59-05:00", "0000-01-01", "2024-13-01"],
        "time": ["2024-01-31T23:59:59Z", "2024-01-31 23:59:59.123+05:30",
                 "2024-01-31t00:00z", "0001-01-01T00:00:00+05:00",
                 "9999-12-31T23:59:59-05:00", "now", "today", "-90s",
                 "+30min", "-2h", "-1m", "+1y", "2016-12-31T23:59:60Z",
                 "2024-06-01", "2024-06-01T24:00:00Z"],
        "dur": ["30m", "4h", "1d", "2w", "3600", "15250284452471w", " 5s "],
        "email": ["Ann@Example.COM", " a@b.c ", "a@b", "@b.c", "a@@b.c",
                  "a@b.c.", "a b@c.d", "ä@ü.de"],
        "phone": ["+44 20 7946 0000", "0044 20 7946 0000", "020 7946 0000",
                  "(555) 123-4567", "12", "+86 138 0000 0021|13800000021",
                  "1/2.3-4 5", "+0012345"],
        "name": ["ACME, Inc.", "Acme", "张三", "张 三", "星辰医药有限公司",
                 "Lisa", "Li S.A.", "ＡＣＭＥ　Ｃｏ．", "Foo Co Inc",
                 "Müller GmbH", "co"],
        "utf8": ["plain ascii text", "e\u0301t\u00e9", "张三李四",
                 "\U0001F600 emoji", "\u200bzero\u200dwidth", "tab\there",
                 b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                 b"\xe0\x80\xaf", b"ab\x00cd", b"\xf0\x9f\x98"],
        "tags": ["vip;newsletter\n+key\n-vip\n+ key \n-nope",
                 " a , b ;; a\n+c;d\n-a\n-b\n-c", "\n+x\n+x\n-x\n-x",
                 "x\n+\n- \n+\xe5\xbc\xa0"],
        "other": ["yes", "N", "TRUE", "eur", "JPY", "kwd", "10|9", "9|1a",
                  "1a|10", "1.50|1.5", "abc|abd", "|"],
    }
    for kind, items in cases.items():
        for i, t in enumerate(items):
            if isinstance(t, str):
                t = t.encode()
            put("fuzz_values", bytes([sel[kind]]) + t, "%s-%02d" % (kind, i))
    for i, v in enumerate([0, 1, -1, 2**53, -2**53, 2**63 - 1, -2**63,
                           123456789, 2932896 - 719162]):
        b = (v & (2**64 - 1)).to_bytes(8, "little")
        put("fuzz_values", bytes([sel["money_int"]]) + b, "moneyint-%d" % i)
        put("fuzz_values", bytes([sel["cal"]]) + b, "cal-%d" % i)


# ---- filters: one expression (or sort spec) per line ----
def filter_seeds():
    reset("fuzz_filter")
    exprs = [
        "name=Acme, Inc.", "name~acme", "email=SALES@acme.example",
        "phone=020 7946 0000", "tags=vip", "tags!=vip|newsletter",
        "tier=A|B", "tier=", "tier!=", "created_at>=2024-01-01",
        "created_at<-30d", "id>2", "id<=1099511627776", "kind=Person",
        "score>9", "score<10", "note~x|y", "colour=blue", "amount>1234.5",
        "amount=1500", "amount<=12.3455", "amount>=-0.01", "currency=eur",
        "probability>50", "expected_close<=+30d", "customer=1",
        "closed_at>2026-11-20T07:00:00Z", "stage=won|open", "region=APAC",
        "title~", "x!y", "=v", "bad,name=1", " name = Bob ",
        "-created_at,name", "tier,-id", "score,-colour", "a,b,c,d,e,f,g,h,i",
    ]
    for i, e in enumerate(exprs):
        put("fuzz_filter", e, "expr-%02d" % i)
    put("fuzz_filter", "tier=A|B\ncreated_at>=2000-01-01\nname~a\n-id",
        "several")


# ---- decode: record encodings (record.h) ----
def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zz(v):
    return (v << 1) ^ (v >> 63) if v >= 0 else ((v << 1) ^ -1) & (2**64 - 1)


def text(field, s):
    s = s.encode() if isinstance(s, str) else s
    return varint(field + 1) + varint(len(s)) + s


def num(field, v):
    return varint(field + 1) + varint(zz(v))


def uns(field, v):
    return varint(field + 1) + varint(v)


def custom(name, val):
    return varint(0) + varint(len(name)) + name.encode() + \
        varint(len(val.encode())) + val.encode()


def decode_seeds():
    reset("fuzz_decode")
    # customer: 1 created_at, 3 ext_id, 4 name, 5 kind, 6 email, 7 phone,
    # 11 tags; deal: 4 customer (ref), 5 title, 6 amount, 7 currency,
    # 9 probability, 10 expected_close
    seeds = {
        "empty": b"\x01",
        "customer": b"\x01" + num(1, 1700000000) + text(3, "E0000001") +
        text(4, "Acme, Inc.") + text(5, "company") + text(6, "a@b.co") +
        text(7, "+442079460000") + text(11, "vip;newsletter") +
        custom("colour", "blue"),
        "deal": b"\x01" + uns(4, 12) + text(5, "Big") + num(6, 123450) +
        text(7, "EUR") + num(9, 90) + num(10, 20000),
        "extremes": b"\x01" + num(1, -2**63) + num(10, 2**63 - 1) +
        num(6, -2**63),
        "bad-version": b"\x02" + text(4, "x"),
        "bad-enum": b"\x01" + text(5, "robot"),
        "id-field": b"\x01" + num(0, 5),
        "short": b"\x01" + varint(5) + varint(10) + b"abc",
        "long-varint": b"\x01" + b"\xff" * 10 + b"\x01",
        "dup-field": b"\x01" + text(4, "a") + text(4, "b"),
        "custom-empty": b"\x01" + custom("x", ""),
    }
    for k, v in seeds.items():
        put("fuzz_decode", v, k)


if __name__ == "__main__":
    csv_seeds()
    json_seeds()
    values_seeds()
    filter_seeds()
    decode_seeds()
    for t in sorted(os.listdir(CORPUS)):
        print("%-12s %4d files" % (t, len(os.listdir(os.path.join(CORPUS, t)))))
