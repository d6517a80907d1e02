"""Completion quality of a sequence model on held-out code (part of suite ``code-compress``).

Prompts (:func:`docstring_prompts`): every function of the held-out files that has a
docstring and at least one statement after it, in source order within a file, taken
round-robin over the files in their order (the first of each file, then the second of each,
...) until :data:`N_PROMPTS`. A prompt is the function's lines from its ``def`` line (its
indentation included, decorators not) through the line where the docstring ends; the true
continuation (the *body*) is the rest of the function's lines. A function is used only if
its own body passes the checks below (so the definition accepts every true function).

Metrics (:func:`completion_metrics`):

* ``ast_parse_share``: the share of prompts whose sampled continuation, cut at the function's
  end (:func:`function_end`: before the first non-blank line indented no deeper than the
  ``def``), makes ``prompt + continuation`` accepted by ``ast.parse`` (after
  ``textwrap.dedent`` when the function is indented: a method) AND gives the function at
  least one statement after its docstring (a continuation that ends the function at once
  does not count). One sample per prompt: temperature :data:`TEMPERATURE`, no top-k/top-p,
  ``random_state = SEED + i`` for prompt ``i``, at most ``max_new_tokens`` bytes; sampling
  stops early at a new ``def``/``class``/decorator at the function's indentation or above
  (:func:`stops`). A continuation that has not ended within ``max_new_tokens`` is parsed as
  it is (usually a failure); the note counts them.
* ``continuation_bits_per_byte``: ``-log2 p(body | prompt)`` summed over prompts, divided by
  the bytes of the bodies: the sum of the body bytes' per-token log-probabilities
  (``model.token_log_probs`` of ``prompt + body``), which is ``log p(prompt + body) - log
  p(prompt)`` without the two end-token terms that ``log_prob`` includes (the file does not
  end after the prompt or the body).

Example:
    >>> src = b'def f(x):\\n    "Doc."\\n    return x\\n'
    >>> [(p.name, p.prompt, p.body) for p in docstring_prompts([("m.py", src)], 20)]
    [('m.py:f', 'def f(x):\\n    "Doc."\\n', '    return x\\n')]
"""

from __future__ import annotations

import ast
import math
import textwrap
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

DATASET = "held-out functions from def + docstring"
N_PROMPTS = 20
MAX_NEW_TOKENS = 4096  # most held-out bodies are shorter; a longer one may not finish
TEMPERATURE = 0.4  # chosen on training files by tools/choose_temperature.py (never held-out)
SEED = 0


@dataclass(frozen=True)
class Prompt:
    """One function of a held-out file: ``prompt`` (def line(s) and docstring) and ``body``."""

    name: str
    indent: str
    prompt: str
    body: str


def docstring_prompts(files: list[tuple[str, bytes]], n: int) -> list[Prompt]:
    """The first ``n`` prompts of ``files`` (module docstring: round-robin over the files)."""
    per_file = [_file_prompts(name, data.decode("utf-8")) for name, data in files]
    out: list[Prompt] = []
    for k in range(max((len(p) for p in per_file), default=0)):
        out += [p[k] for p in per_file if k < len(p)]
    return out[:n]


def _file_prompts(name: str, text: str) -> list[Prompt]:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    lines = text.splitlines(keepends=True)
    defs = (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))
    out = []
    for node in sorted(defs, key=lambda n: n.lineno):
        doc = node.body[0]
        if ast.get_docstring(node) is None or len(node.body) < 2:
            continue
        if lines[doc.end_lineno - 1].encode("utf-8")[doc.end_col_offset :].strip():  # bytes offset
            continue  # something after the docstring on its line
        indent = lines[node.lineno - 1][: node.col_offset]
        prompt = "".join(lines[node.lineno - 1 : doc.end_lineno])
        body = "".join(lines[doc.end_lineno : node.end_lineno])
        if function_end(body, indent) == body and parses(prompt, body, indent):
            out.append(Prompt(f"{name}:{node.name}", indent, prompt, body))
    return out


def stops(indent: str) -> list[str]:
    """Stop strings of a function indented by ``indent``: a new ``def``, ``class`` or decorator
    at its indentation or at the top level (an early stop; :func:`function_end` decides).

    Example:
        >>> stops("")
        ['\\ndef ', '\\nclass ', '\\n@', '\\nasync def ']
    """
    levels = dict.fromkeys([indent, ""])
    return [f"\n{lv}{kw}" for lv in levels for kw in ("def ", "class ", "@", "async def ")]


def function_end(text: str, indent: str) -> str:
    """``text`` up to (not including) its first non-blank line indented by at most
    ``len(indent)`` characters: where the function whose ``def`` has ``indent`` ends.

    Example:
        >>> function_end("    return 1\\n\\nx = 2\\n", "")
        '    return 1\\n\\n'
    """
    out = []
    for line in text.splitlines(keepends=True):
        body = line.lstrip(" \t")
        if body.strip() and len(line) - len(body) <= len(indent):
            break
        out.append(line)
    return "".join(out)


def parses(prompt: str, continuation: str, indent: str) -> bool:
    """Whether ``prompt + continuation`` (dedented when ``indent``) is accepted by ``ast.parse``
    and is a function with at least one statement after its docstring.

    Example:
        >>> parses('    def f(self):\\n        "D."\\n', "        return 1\\n", "    ")
        True
        >>> parses('def f():\\n    "D."\\n', "", ""), parses('def f():\\n    "D."\\n', " x(", "")
        (False, False)
    """
    source = prompt + continuation
    try:
        tree = ast.parse(textwrap.dedent(source) if indent else source)
    except (SyntaxError, ValueError):  # ValueError: a null byte, on older Pythons
        return False
    first = tree.body[0] if tree.body else None
    return isinstance(first, ast.FunctionDef | ast.AsyncFunctionDef) and len(first.body) >= 2


def body_nats(model: Any, prompt: Prompt) -> tuple[float, int]:
    """``-ln p(body | prompt)`` from the model's per-token log-probabilities, and the body's
    bytes (no end token: module docstring)."""
    head, body = prompt.prompt.encode("utf-8"), prompt.body.encode("utf-8")
    data = head + body
    table = model.token_log_probs(data)  # row j predicts byte j of data (row len: the end)
    positions = np.arange(len(head), len(data))
    picked = table[positions, np.frombuffer(body, dtype=np.uint8)]
    return float(-picked.sum()), len(body)


def sample_completion(
    model: Any, prompt: Prompt, i: int, max_new_tokens: int, temperature: float = TEMPERATURE
) -> tuple[str, bool]:
    """Prompt ``i``'s sampled continuation cut at the function's end, and whether it ended
    (by a stop, the end token or a line at the function's indentation)."""
    raw = model.sample(
        1,
        prompt=prompt.prompt.encode("utf-8"),
        max_new_tokens=max_new_tokens,
        temperature=temperature,
        stop=stops(prompt.indent),
        random_state=SEED + i,
    )[0]
    text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
    cut = function_end(text, prompt.indent)
    return cut, len(raw) < max_new_tokens or cut != text


def completion_metrics(
    model: Any,
    prompts: list[Prompt],
    n_wanted: int,
    max_new_tokens: int,
    temperature: float = TEMPERATURE,
) -> list[tuple[str, float, float, str]]:
    """``(metric, value, seconds, note)`` of ``ast_parse_share`` and
    ``continuation_bits_per_byte`` over ``prompts`` (none when there are no prompts)."""
    if not prompts:
        return []
    start = time.perf_counter()
    accepted, unfinished = 0, 0
    for i, p in enumerate(prompts):
        completion, ended = sample_completion(model, p, i, max_new_tokens, temperature)
        accepted += parses(p.prompt, completion, p.indent)
        unfinished += not ended
    sample_s = time.perf_counter() - start
    start = time.perf_counter()
    nats, n_bytes = np.sum([body_nats(model, p) for p in prompts], axis=0)
    score_s = time.perf_counter() - start
    found = f"{len(prompts)} prompts" + (
        f" (fewer than {n_wanted})" if len(prompts) < n_wanted else ""
    )
    how = (
        f"{found}; one sample each, temperature {temperature}, seed {SEED} + prompt index, "
        f"at most {max_new_tokens} bytes ({unfinished} did not end); cut at the function's end; "
        "ast.parse(dedent(prompt + completion)) with >= 1 statement after the docstring"
    )
    bits = f"{found}; -log2 p(body | prompt) / {int(n_bytes)} body bytes, per-token (no end token)"
    return [
        ("ast_parse_share", accepted / len(prompts), sample_s, how),
        ("continuation_bits_per_byte", float(nats) / math.log(2) / n_bytes, score_s, bits),
    ]
