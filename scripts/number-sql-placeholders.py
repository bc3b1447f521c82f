#!/usr/bin/env python3
"""Rewrite SQL placeholders in Rust sources from SQLite's `?` / `?N` to numbered `$N`.

kefu-store writes each statement once for SQLite and PostgreSQL with `$N` placeholders (see the
crate doc of crates/kefu-store/src/lib.rs). Store code written in the old `?` style is ported with
    scripts/number-sql-placeholders.py crates/kefu-store/src/recordings.rs ...
Only string literals that look like SQL are touched. A bare `?` takes SQLite's number: one more
than the largest number used before it in the same literal, so `? … ?2 … ?` becomes `$1 … $2 … $3`.
"""
import re
import sys

LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
SQL = re.compile(r'\b(SELECT|INSERT|UPDATE|DELETE|WHERE|VALUES)\b')


def number(sql: str) -> str:
    out, largest, i = [], 0, 0
    while i < len(sql):
        if sql[i] == '?':
            m = re.match(r'\?(\d+)', sql[i:])
            if m:
                n = int(m.group(1))
                i += len(m.group(0))
            else:
                n = largest + 1
                i += 1
            largest = max(largest, n)
            out.append(f'${n}')
        else:
            out.append(sql[i])
            i += 1
    return ''.join(out)


def main() -> None:
    for path in sys.argv[1:]:
        with open(path, encoding='utf-8') as f:
            src = f.read()
        new = LITERAL.sub(lambda m: number(m.group(0)) if '?' in m.group(0) and SQL.search(m.group(0)) else m.group(0), src)
        if new != src:
            with open(path, 'w', encoding='utf-8') as f:
                f.write(new)
            print(f'numbered placeholders in {path}')


if __name__ == '__main__':
    main()
