#!/usr/bin/env python3
"""HTTP client of bench/kb.sh: one keep-alive connection, requests one after the other, each
timed from sending the request to reading the whole answer (time.perf_counter).

  kb_http.py search URL TOKEN QUERIES_FILE ROUNDS [EXACT_FILE]
                                                         vector queries (one "[...]" per line);
                                                         recall@10 against EXACT_FILE's id lists
  kb_http.py text URL TOKEN ROUNDS                       text queries, semantic mode
  kb_http.py keyword URL TOKEN ROUNDS                    keyword and hybrid queries
  kb_http.py chunks URL TOKEN DOC_IDS_FILE PER CENTROIDS_FILE SIGMA CONC
                                                         POST /v1/documents/{id}/chunks, PER chunks
                                                         a request, CONC connections at once
"""
import http.client, json, math, random, statistics, sys, threading, time
from urllib.parse import urlparse

TEXT_QUERIES = [
    "How do I reset my password?", "The VPN client does not connect after the update",
    "Where can I download last month's invoice?", "How to configure single sign-on with SAML",
    "My laptop battery drains very fast", "Emails from our domain end up in spam",
    "How do I add a new agent to my team?", "Can I export all tickets as CSV?",
    "What is the refund policy for annual plans?", "Two-factor authentication code is not accepted",
    "The printer on the third floor shows a paper jam", "How to rotate an API key without downtime",
    "Which browsers are supported?", "How long are deleted documents kept?",
    "Set up a webhook for new tickets", "Change the billing address on an invoice",
    "Why is the dashboard slow in the morning?", "Connect the mobile app to our workspace",
    "What data do you store about end customers?", "How do I merge two duplicate tickets?",
]


def conn_for(url):
    u = urlparse(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=120)


def post(c, path, token, body):
    data = json.dumps(body).encode()
    t0 = time.perf_counter()
    c.request("POST", path, body=data, headers={
        "Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = c.getresponse()
    out = r.read()
    ms = (time.perf_counter() - t0) * 1000
    if r.status not in (200, 201):
        raise SystemExit(f"POST {path}: {r.status} {out[:300]!r}")
    return ms, json.loads(out)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, math.ceil(len(xs) * p / 100) - 1))]


def summary(label, ms):
    print(f"{label}: n {len(ms)}  p50 {pct(ms, 50):.2f} ms  p95 {pct(ms, 95):.2f} ms  "
          f"mean {statistics.mean(ms):.2f} ms  min {min(ms):.2f} ms  max {max(ms):.2f} ms")


def search(url, token, qfile, rounds, exact_file=None):
    vs = [json.loads(l) for l in open(qfile) if l.strip()]
    # The exact top 10 of each query (bench_exact, from `kb.sh recall`), line for line.
    exact = [set(json.loads(l)) for l in open(exact_file) if l.strip()] if exact_file else None
    c = conn_for(url)
    for v in vs[:5]:  # warm-up, not counted
        post(c, "/v1/search", token, {"vector": v, "top_k": 10})
    ms, short, hits = [], 0, 0
    for _ in range(rounds):
        for i, v in enumerate(vs):
            t, out = post(c, "/v1/search", token, {"vector": v, "top_k": 10})
            ms.append(t)
            short += len(out["results"]) < 10
            if exact:
                hits += len(exact[i] & {r["chunk_id"] for r in out["results"]})
    recall = f", recall@10 {hits / (10 * len(vs) * rounds):.3f}" if exact else ""
    summary(f"vector query ({len(vs)} vectors x {rounds}, {short} answers with < 10 results{recall})", ms)


def text(url, token, rounds):
    c = conn_for(url)
    for q in TEXT_QUERIES[:3]:
        post(c, "/v1/search", token, {"query": q, "mode": "semantic", "top_k": 10})
    ms = []
    for _ in range(rounds):
        for q in TEXT_QUERIES:
            t, _ = post(c, "/v1/search", token, {"query": q, "mode": "semantic", "top_k": 10})
            ms.append(t)
    summary(f"text query, semantic ({len(TEXT_QUERIES)} questions x {rounds})", ms)


# Keyword queries over kb.sh's chunks, whose text is "Bench chunk <n> of tenant <g>: how to reset
# a password, configure the VPN or read an invoice.": a word in every chunk, a term in one chunk
# of the tenant (its chunk number), a word in none.
# (Chunks are numbered per tenant from 0; every bench tenant holds at least 2,000, so "1234" is in
# one chunk of each.)
def keyword(url, token, rounds):
    c = conn_for(url)
    for mode, q, what in [("keyword", "password", "a word in every chunk"),
                          ("keyword", "chunk 1234", "a term in one chunk of the tenant"),
                          ("keyword", "zebra", "a word in no chunk"),
                          ("hybrid", "reset my password", "hybrid, embedding included")]:
        for _ in range(3):
            post(c, "/v1/search", token, {"query": q, "mode": mode, "top_k": 10})
        ms = []
        for _ in range(rounds):
            t, out = post(c, "/v1/search", token, {"query": q, "mode": mode, "top_k": 10})
            ms.append(t)
        summary(f"{mode} {q!r} ({what}; {len(out['results'])} results, x {rounds})", ms)


def chunks(url, token, docs_file, per, centroids_file, sigma, conc):
    docs = [l.strip() for l in open(docs_file) if l.strip()]
    cents = [json.loads(l) for l in open(centroids_file) if l.strip()]
    rnd = random.Random(7)

    def vec():
        c = rnd.choice(cents)
        v = [x + rnd.gauss(0, sigma) for x in c]
        n = math.sqrt(sum(x * x for x in v))
        return [round(x / n, 6) for x in v]

    bodies = []
    for d in docs:
        bodies.append((d, {"model": "all-MiniLM-L6-v2", "chunks": [
            {"content": f"Client chunk {i} of {d[:8]}: resetting passwords, VPN settings, invoices.",
             "embedding": vec()} for i in range(per)]}))
    # warm-up: the first document, not counted
    post(conn_for(url), f"/v1/documents/{bodies[0][0]}/chunks", token, bodies[0][1])
    work = bodies[1:]
    lat, lock = [], threading.Lock()

    def run(part):
        c = conn_for(url)
        for d, b in part:
            t, out = post(c, f"/v1/documents/{d}/chunks", token, b)
            assert out["chunks"] == per, out
            with lock:
                lat.append(t)

    parts = [work[i::conc] for i in range(conc)]
    threads = [threading.Thread(target=run, args=(p,)) for p in parts]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    n = len(work) * per
    print(f"client vectors: {len(work)} requests x {per} chunks, {conc} at once: {n} chunks in "
          f"{wall:.2f} s = {n / wall:.0f} chunks/s; per request p50 {pct(lat, 50):.0f} ms "
          f"p95 {pct(lat, 95):.0f} ms")


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "search":
        search(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]),
               sys.argv[6] if len(sys.argv) > 6 else None)
    elif mode == "keyword":
        keyword(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif mode == "text":
        text(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif mode == "chunks":
        chunks(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6],
               float(sys.argv[7]), int(sys.argv[8]))
