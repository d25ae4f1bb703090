"""Rewrite a tree from the old module layout to the new one (tools/module_moves.py): imports, mock paths, settings
strings, model labels, permissions and admin URLs. Idempotent; migrations are history and are left alone.

    python tools/rewrite_imports.py [ROOT]      # then: ruff check --fix . && ruff format .

By hand afterwards: a split name reached through a module alias (`from campaigns import selectors` then
`selectors.trader_of_user(...)`) is not rewritten; `ruff check` and the suite name each one (AttributeError).
"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from module_moves import KEPT_STRINGS, MODEL_MOVES, MODULE_MOVES, SYMBOL_MOVES  # noqa: E402

TOP = sorted({name.split(".")[0] for name in [*MODULE_MOVES, *SYMBOL_MOVES]})
SUFFIXES = {".py", ".html", ".txt", ".md", ".toml", ".cfg", ".ini", ".yml", ".yaml"}
SKIP_MARK = "rewrite_imports: keep"
SKIP_DIRS = {".git", ".venv", "node_modules", "migrations", "__pycache__", "tools"}

APPS = "|".join(TOP)
FROM_IMPORT = re.compile(
    rf"^(?P<indent>[ \t]*)from[ \t]+(?P<module>(?:{APPS})(?:\.\w+)*)[ \t]+import[ \t]+"
    r"(?P<names>\([^)]*\)|[^\n#]*?)(?P<comment>[ \t]*#[^\n]*)?$",
    re.MULTILINE,
)
PLAIN_IMPORT = re.compile(rf"^(?P<indent>[ \t]*)import[ \t]+(?P<module>(?:{APPS})(?:\.\w+)+)\b", re.MULTILINE)
DOTTED = re.compile(rf"(?<![\w.])(?:{APPS})(?:\.\w+)+")


def new_module(module: str) -> str:
    """The module's new dotted path (the longest moved prefix), or itself."""
    parts = module.split(".")
    for cut in range(len(parts), 0, -1):
        head = ".".join(parts[:cut])
        if head in MODULE_MOVES:
            return ".".join([MODULE_MOVES[head], *parts[cut:]])
    return module


def new_dotted(dotted: str) -> str:
    """A dotted reference (module, module.Name or module.Name.attr) in the new layout."""
    if dotted in KEPT_STRINGS:
        return dotted
    parts = dotted.split(".")
    for cut in range(len(parts), 1, -1):
        head = ".".join(parts[:cut])
        if head in SYMBOL_MOVES:
            return ".".join([SYMBOL_MOVES[head], *parts[cut - 1 :]])
    return new_module(dotted)


def _rewrite_from(match: re.Match) -> str:
    module, indent, comment = match["module"], match["indent"], match["comment"] or ""
    raw = match["names"].strip()
    names = [n.split("#")[0].strip() for n in raw.strip("()").replace("\n", ",").split(",")]
    names = [n for n in names if n]
    if names == ["*"]:
        return f"{indent}from {new_module(module)} import *{comment}"
    groups: dict[str, list[str]] = {}
    for entry in names:
        name, _, alias = entry.partition(" as ")
        name, alias = name.strip(), alias.strip()
        full = f"{module}.{name}"
        if full in MODULE_MOVES:
            target = new_module(full)
            parent, _, leaf = target.rpartition(".")
            spelled = leaf if leaf == (alias or name) else f"{leaf} as {alias or name}"
            groups.setdefault(parent, []).append(spelled)
            continue
        target = SYMBOL_MOVES.get(full) or new_module(module)
        groups.setdefault(target, []).append(f"{name} as {alias}" if alias else name)
    if list(groups) == [module] and groups[module] == names:
        return match.group(0)
    lines = []
    for target, spelled in groups.items():
        text = f"{indent}from {target} import {', '.join(spelled)}"
        lines.append(text)
    lines[0] += comment
    return "\n".join(lines)


def rewrite_text(text: str, python: bool) -> str:
    if python:
        text = FROM_IMPORT.sub(_rewrite_from, text)
        text = PLAIN_IMPORT.sub(lambda m: f"{m['indent']}import {new_module(m['module'])}", text)
    text = DOTTED.sub(lambda m: new_dotted(m.group(0)), text)
    for old, new in MODULE_MOVES.items():  # file paths in prose: campaigns/services/outbox.py
        text = re.sub(rf"(?<![\w/.]){re.escape(old.replace('.', '/'))}\.py\b", new.replace(".", "/") + ".py", text)
    for model, (old, new) in MODEL_MOVES.items():
        lower = model.lower()
        text = re.sub(rf"(['\"]){old}\.({model}|{lower})\1", rf"\g<1>{new}.\2\1", text)
        text = re.sub(rf"\b{old}\.(\w+)_{lower}\b", rf"{new}.\1_{lower}", text)
        text = text.replace(f"admin:{old}_{lower}_", f"admin:{new}_{lower}_")
        text = text.replace(f'name="{old}_{lower}_', f'name="{new}_{lower}_')  # admin URL names a ModelAdmin adds
        text = text.replace(f"/admin/{old}/{lower}/", f"/admin/{new}/{lower}/")
        text = re.sub(rf'app_label="{old}",(\s*)model="{lower}"', rf'app_label="{new}",\1model="{lower}"', text)
    return text


def main(root: str = ".") -> int:
    changed = 0
    for path in sorted(Path(root).rglob("*")):
        if path.suffix not in SUFFIXES or not path.is_file() or SKIP_DIRS & set(path.parts):
            continue
        text = path.read_text(encoding="utf-8")
        if SKIP_MARK in text:  # a file that must keep naming the old layout (the migration test)
            continue
        new = rewrite_text(text, python=path.suffix == ".py")
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
            print(path)
    print(f"{changed} files rewritten", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
