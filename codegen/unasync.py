"""Generate the blocking flavor from the async one.

    python codegen/unasync.py           write src/hitl_sync and tests/_sync
    python codegen/unasync.py --check   exit 1 if the committed copies differ from
                                        a fresh generation, or if a generated
                                        folder holds a file no source produces

Every generated file is unasync'd token by token with the explicit rules below,
then its imports are sorted and it is formatted with ruff. A rule that no file
used fails the run, so a dead rule cannot hide. Hand-written files of the
generated folders are listed in KEEP.
"""

from __future__ import annotations

import argparse
import difflib
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

# This script is named like the library it drives; keep its own folder off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import tokenize_rt  # noqa: E402
import unasync  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HEADER = "# WARNING: generated from {source} by codegen/unasync.py. DO NOT EDIT.\n"


@dataclass(frozen=True)
class Tree:
    source: str
    target: str
    keep: frozenset[str]  # hand-written files in the target folder
    guarded: bool  # refuse event-loop imports and async words in the output


TREES = (
    Tree("src/hitl_async", "src/hitl_sync", frozenset({"_compat.py", "py.typed"}), guarded=True),
    Tree("tests/_async", "tests/_sync", frozenset({"_compat.py"}), guarded=False),
)

# Names rewritten everywhere, on top of unasync's own (__aenter__ -> __enter__, ...).
# Each must be used by at least one file.
REPLACEMENTS = {
    "hitl_async": "hitl_sync",
    "AsyncClient": "Client",
    "aclose": "close",
    "AsyncIterator": "Iterator",
}


class _CountingRule(unasync.Rule):  # type: ignore[misc]
    def __init__(self, used: Counter[str]) -> None:
        super().__init__("/", "/", additional_replacements=REPLACEMENTS)
        self.used = used

    def _unasync_name(self, name: str) -> str:
        if name in REPLACEMENTS:
            self.used[name] += 1
        elif len(name) > 5 and name.startswith("Async") and name[5].isupper():
            raise SystemExit(f"{name}: map it explicitly in REPLACEMENTS")
        result: str = super()._unasync_name(name)
        return result


# What unasync cannot fix and must not reach the blocking flavor: an import of an
# event-loop library (its calls would return coroutines nobody awaits), or the
# words of the async flavor left in docstrings and comments.
FORBIDDEN = re.compile(
    r"^\s*(?:import|from)\s+(?:anyio|trio|asyncio)\b|(?i:\bawait\b|\basync\b)", re.M
)


def _guard(text: str, target: Path) -> None:
    for match in FORBIDDEN.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        raise SystemExit(
            f"{target}:{line}: {match.group().strip()!r} would reach the blocking flavor; "
            "use _compat, or reword the docstring"
        )


def _ruff(args: list[str], text: str, filename: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--stdin-filename", filename, "-"],
        input=text,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"ruff {args[0]} failed on {filename}:\n{done.stderr}")
    return done.stdout


def _format(text: str, filename: str) -> str:
    """Imports sorted again (hitl_sync sorts after hitl_core, hitl_async before), then formatted."""
    text = _ruff(["check", "--fix", "--select", "I", "--quiet"], text, filename)
    return _ruff(["format"], text, filename)


def generate() -> dict[Path, str]:
    """Every generated file, by path relative to the repository root."""
    used: Counter[str] = Counter()
    rule = _CountingRule(used)
    out: dict[Path, str] = {}
    for tree in TREES:
        for source in sorted((ROOT / tree.source).rglob("*.py")):
            relative = source.relative_to(ROOT / tree.source)
            if relative.name in tree.keep:
                continue
            tokens = tokenize_rt.src_to_tokens(source.read_text(encoding="utf-8"))
            text = tokenize_rt.tokens_to_src(rule._unasync_tokens(tokens))
            text = HEADER.format(source=source.relative_to(ROOT).as_posix()) + text
            target = Path(tree.target) / relative
            if tree.guarded:
                _guard(text, target)
            out[target] = _format(text, target.as_posix())
    unused = sorted(set(REPLACEMENTS) - set(used))
    if unused:
        raise SystemExit(f"replacement rules used by no file: {', '.join(unused)}")
    return out


def _stale(generated: dict[Path, str]) -> list[Path]:
    stale = []
    for tree in TREES:
        for path in sorted((ROOT / tree.target).rglob("*")):
            relative = path.relative_to(ROOT)
            if path.is_dir() or "__pycache__" in path.parts:
                continue
            if path.name in tree.keep and path.parent == ROOT / tree.target:
                continue
            if relative not in generated:
                stale.append(relative)
    return stale


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    generated = generate()
    problems = []
    for path, text in generated.items():
        current = (ROOT / path).read_text(encoding="utf-8") if (ROOT / path).exists() else None
        if current == text:
            continue
        if args.check:
            diff = difflib.unified_diff(
                (current or "").splitlines(keepends=True),
                text.splitlines(keepends=True),
                f"{path} (committed)",
                f"{path} (generated)",
            )
            problems.append(f"{path} differs from a fresh generation:\n" + "".join(diff))
        else:
            (ROOT / path).parent.mkdir(parents=True, exist_ok=True)
            (ROOT / path).write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    for path in _stale(generated):
        if args.check:
            problems.append(f"{path} is in a generated folder but no source produces it")
        else:
            (ROOT / path).unlink()
            print(f"removed {path} (no source produces it)")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print("run: python codegen/unasync.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
