"""Choose the sampling temperature of the ``code-compress`` completion check on *training*
files (never the held-out files).

The prompts are built as the suite builds them (:func:`~genlab.bench.suites.code_prompts.
docstring_prompts`: a ``def`` line and its docstring, round-robin over the files) from the
validation files of ``tools/choose_sequence.py`` (every 20th training file of a seeded
permutation). Each candidate temperature samples one completion per prompt with the suite's
seeds and stop strings, and is scored by the share that ``ast.parse`` accepts with at least
one statement after the docstring; ties go to the higher temperature (more varied code).

The model is the suite's saved one (``runs/code-compress/model`` after ``genlab bench
code-compress --out runs/code-compress``). It was trained on every training file, these
prompts included, so its shares here are higher than on unseen code: read the result as a
ranking of temperatures, which is what the choice needs. The held-out files play no part.

Run: ``.venv/bin/python tools/choose_temperature.py [MODEL_DIR]`` (about five minutes on
2 cores).
"""

from __future__ import annotations

import sys
import time

from choose_sequence import validation_rows  # tools/ is on the path when run as a script

import genlab
from genlab.bench.suites import code_prompts
from genlab.data.text import load_python_code

CANDIDATES = (0.2, 0.4, 0.6, 0.8)
N_PROMPTS = 30


def validation_files() -> list[tuple[str, bytes]]:
    """The training files that ``tools/choose_sequence.py`` holds out, by name."""
    files = load_python_code().train
    return [files[i] for i in validation_rows(len(files))]


def main(model_dir: str) -> None:
    model = genlab.load_model(model_dir)
    prompts = code_prompts.docstring_prompts(validation_files(), N_PROMPTS)
    print(f"{len(prompts)} prompts from training files; model {model_dir}")
    shares = {}
    for temperature in CANDIDATES:
        start = time.perf_counter()
        metric = code_prompts.completion_metrics(
            model, prompts, N_PROMPTS, code_prompts.MAX_NEW_TOKENS, temperature
        )[0]
        shares[temperature] = metric[1]
        print(
            f"temperature {temperature}: ast_parse_share {metric[1]:.3f} "
            f"({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    best = max(CANDIDATES, key=lambda t: (shares[t], t))
    print(f"chosen (highest share, ties to the higher temperature): {best}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "runs/code-compress/model")
