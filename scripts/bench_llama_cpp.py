#!/usr/bin/env python3
"""llama.cpp side of the summarisation speed comparison (issue #4, item 7).

Runs llama.cpp (through llama-cpp-python) over the exact prompts jevons gives its model — written
by `bench-summarize --dump-prompts` — with jevons' decoding rules: greedy, repeat penalty over the
last `repeat_last_n` generated tokens, stop at a stop token, at `max_new_tokens`, or when the text
is a finished summary (prompt::enough, ported below). Prints one JSON line per setting: prompt
tok/s, generation tok/s (per stream), articles/min end to end (tokenise, prompt, decode) and peak
RSS of the process(es).

    python3 scripts/bench_llama_cpp.py --prompts prompts.jsonl --model models/X.gguf \
        [--threads 1,2] [--procs 1] [--limit N] [--n-batch 2048]

`--procs N` also runs N single-stream processes side by side (threads split between them, articles
from one queue): llama.cpp scaled out the way jevons' workers are.

Needs `pip install llama-cpp-python numpy` (a ~12 min source build; see notes/stack-spike.md). Its
AMX path crashes on some Xeons, so models load with `use_extra_bufts = False` (≙ `--no-repack`):
the figures are llama.cpp without its repacked kernels.

Python tooling only: nothing here is part of the Rust build.
"""

import argparse
import json
import multiprocessing as mp
import os
import sys
import time

# --- jevons' stop rule, ported from services/summarizer/src/{text,prompt}.rs -----------------

ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "inc", "corp", "co", "ltd", "vs", "etc",
    "e.g", "i.e", "u.s", "u.k", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "no", "gen", "gov", "sen", "rep",
}
CLOSERS = "\"')”’"
MAX_SENTENCES = 3
MIN_WORDS_AT_TWO = 30


def _lines(text):
    # Rust's str::lines: split at \n, drop a trailing \r, no empty last line.
    parts = text.split("\n")
    if parts and parts[-1] == "":
        parts.pop()
    return [p[:-1] if p.endswith("\r") else p for p in parts]


def _is_abbreviation(before):
    word = []
    for c in reversed(before):
        if c.isspace() or c == "(":
            break
        word.append(c)
    word = "".join(reversed(word))
    return (len(word) == 1 and word.isupper()) or word.lower() in ABBREVIATIONS


def sentences(text):
    out = []
    for line in _lines(text):
        chars = line
        start = i = 0
        while i < len(chars):
            c = chars[i]
            if c in ".!?":
                end = i + 1
                while end < len(chars) and chars[end] in CLOSERS:
                    end += 1
                next_is_space = end < len(chars) and chars[end] == " "
                after = chars[end + 1] if end + 1 < len(chars) else None
                starts_new = after is not None and (
                    after.isupper() or after in "0123456789" or after in "\"“'‘"
                )
                if next_is_space and starts_new and not (c == "." and _is_abbreviation(chars[start:i])):
                    s = chars[start:end].strip()
                    if s:
                        out.append(s)
                    start = end + 1
                    i = start
                    continue
            i += 1
        if start < len(chars):
            s = chars[start:].strip()
            if s:
                out.append(s)
    return out


def enough(text, max_sentences=MAX_SENTENCES):
    flat = " ".join(text.split())
    complete = [s for s in sentences(flat) if s.endswith((".", "!", "?"))]
    words = sum(len(s.split()) for s in complete)
    cap = min(max(max_sentences, 1), MAX_SENTENCES)
    return len(complete) >= cap or (len(complete) >= 2 and words >= MIN_WORDS_AT_TWO)


def _self_test():
    assert sentences(
        'Nvidia fell 3.5% on Monday. Mr. Huang said demand is strong! Is it? "Yes," he said.\nNew line here'
    ) == ["Nvidia fell 3.5% on Monday.", "Mr. Huang said demand is strong!", "Is it?", '"Yes," he said.', "New line here"]
    assert not enough("Nvidia fell. Chips slid.")
    assert enough("Nvidia fell. Chips slid. Analysts shrugged.")
    assert enough(
        "Shares of Nvidia fell sharply on Monday after the release of a cheap model. Analysts said lower "
        "costs could still expand demand for computing power over the longer term, citing the Jevons paradox."
    )
    assert not enough("Shares of Nvidia fell sharply on Monday after the release of a cheap")


# --- llama.cpp ------------------------------------------------------------------------------


def peak_rss_mb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load(model, threads, n_batch):
    import llama_cpp
    import llama_cpp.llama_cpp as ll

    default_params = ll.llama_model_default_params

    def no_extra_bufts():
        p = default_params()
        if hasattr(p, "use_extra_bufts"):
            p.use_extra_bufts = False  # the AMX buffer type crashes on this CPU (stack-spike.md)
        return p

    ll.llama_model_default_params = no_extra_bufts
    return llama_cpp.Llama(
        model_path=model,
        n_ctx=n_batch,
        n_batch=n_batch,
        n_threads=threads,
        n_threads_batch=threads,
        logits_all=False,
        verbose=False,
    )


class Engine:
    def __init__(self, llm):
        import numpy as np
        import llama_cpp.llama_cpp as ll

        self.np, self.ll, self.llm = np, ll, llm
        self.ctx = llm.ctx
        self.n_vocab = llm.n_vocab()
        self.sentence_end = {}

    def clear(self):
        ll = self.ll
        if hasattr(ll, "llama_memory_clear"):
            ll.llama_memory_clear(ll.llama_get_memory(self.ctx), True)
        else:
            ll.llama_kv_self_clear(self.ctx)

    def forward(self, ids):
        """Logits after `ids` (appended to the KV cache), as a numpy copy."""
        ll = self.ll
        arr = (ll.llama_token * len(ids))(*ids)
        rc = ll.llama_decode(self.ctx, ll.llama_batch_get_one(arr, len(ids)))
        if rc != 0:
            raise RuntimeError(f"llama_decode returned {rc}")
        ptr = ll.llama_get_logits_ith(self.ctx, -1)
        return self.np.ctypeslib.as_array(ptr, shape=(self.n_vocab,)).copy()

    def sample(self, logits, generated, penalty, last_n):
        np = self.np
        if penalty > 1.0 and generated:
            ctx = np.unique(np.asarray(generated[-last_n:] if last_n else [], dtype=np.int64))
            if ctx.size:
                v = logits[ctx]
                logits[ctx] = np.where(v >= 0, v / penalty, v * penalty)
        return int(np.argmax(logits))

    def ends_sentence(self, tok):
        hit = self.sentence_end.get(tok)
        if hit is None:
            piece = self.llm.detokenize([tok])
            hit = any(c in piece for c in (b".", b"!", b"?"))
            self.sentence_end[tok] = hit
        return hit

    def summarize(self, p):
        """One article with jevons' rules (model.rs `generate`)."""
        t0 = time.perf_counter()
        ids = self.llm.tokenize(p["prompt"].encode("utf-8"), add_bos=False, special=True)
        self.clear()
        logits = self.forward(ids)
        nxt = self.sample(logits, [], p["repeat_penalty"], p["repeat_last_n"])
        t1 = time.perf_counter()
        out = []
        stop = set(p["stop_ids"])
        max_new = min(p["max_new_tokens"], 4096 - len(ids))
        while nxt not in stop and len(out) < max_new:
            out.append(nxt)
            if self.ends_sentence(nxt):
                so_far = self.llm.detokenize(out).decode("utf-8", "replace")
                if enough(so_far, p.get("max_sentences", MAX_SENTENCES)):
                    break
            if len(out) >= max_new:
                break
            logits = self.forward([nxt])
            nxt = self.sample(logits, out, p["repeat_penalty"], p["repeat_last_n"])
        text = self.llm.detokenize(out).decode("utf-8", "replace")
        t2 = time.perf_counter()
        return {
            "i": p["i"],
            "tokens_in": len(ids),
            "tokens_out": len(out),
            "prompt_s": t1 - t0,
            "generate_s": t2 - t1,
            "same_ids": ids == p.get("prompt_ids", ids),
            "raw": text,
        }


def worker(model, threads, n_batch, prompts, queue, barrier, results):
    llm = load(model, threads, n_batch)
    eng = Engine(llm)
    # Warm-up outside the timed run (first-call allocations).
    eng.summarize(dict(prompts[0], max_new_tokens=2))
    barrier.wait()
    start = time.perf_counter()
    rows = []
    while True:
        i = queue.get()
        if i is None:
            break
        rows.append(eng.summarize(prompts[i]))
    results.put({"rows": rows, "start": start, "end": time.perf_counter(), "rss": peak_rss_mb()})


def run_setting(model, prompts, threads, procs, n_batch):
    ctx = mp.get_context("spawn")
    queue, results = ctx.Queue(), ctx.Queue()
    for i in range(len(prompts)):
        queue.put(i)
    for _ in range(procs):
        queue.put(None)
    barrier = ctx.Barrier(procs + 1)
    per = max(1, threads // procs)
    t_load = time.perf_counter()
    ps = [ctx.Process(target=worker, args=(model, per, n_batch, prompts, queue, barrier, results)) for _ in range(procs)]
    for p in ps:
        p.start()
    barrier.wait()
    load_s = time.perf_counter() - t_load
    parts = [results.get() for _ in ps]
    for p in ps:
        p.join()
    rows = [r for part in parts for r in part["rows"]]
    wall = max(p["end"] for p in parts) - min(p["start"] for p in parts)
    tin = sum(r["tokens_in"] for r in rows)
    tout = sum(r["tokens_out"] for r in rows)
    ps_ = sum(r["prompt_s"] for r in rows)
    gs = sum(r["generate_s"] for r in rows)
    return {
        "engine": "llama.cpp",
        "threads": per * procs,
        "workers": procs,
        "threads_per_worker": per,
        "articles": len(rows),
        "articles_per_min": len(rows) * 60.0 / wall,
        "prompt_tok_s": tin / ps_,
        "gen_tok_s": tout / gs,
        "tokens_in": tin,
        "tokens_out": tout,
        "wall_s": wall,
        "load_s": load_s,
        "peak_rss_mb": sum(p["rss"] for p in parts),
        "tokenizer_mismatches": sum(1 for r in rows if not r["same_ids"]),
    }, sorted(rows, key=lambda r: r["i"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prompts", required=True, help="from bench-summarize --dump-prompts")
    ap.add_argument("--model", required=True)
    ap.add_argument("--threads", default="1,2", help="comma-separated total threads per setting")
    ap.add_argument("--procs", default="1", help="comma-separated single-stream process counts")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--n-batch", type=int, default=2048, help="context and batch size (a prompt fits one batch)")
    ap.add_argument("--out", help="per-article results (JSON lines) of the last setting")
    a = ap.parse_args()
    _self_test()
    with open(a.prompts) as f:
        prompts = [json.loads(l) for l in f if l.strip()]
    if a.limit:
        prompts = prompts[: a.limit]
    rows = []
    for procs in [int(x) for x in a.procs.split(",")]:
        for threads in [int(x) for x in a.threads.split(",")]:
            if threads < procs:
                continue
            result, rows = run_setting(a.model, prompts, threads, procs, a.n_batch)
            print(json.dumps(result), flush=True)
    if a.out:
        with open(a.out, "w") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    sys.exit(main())
