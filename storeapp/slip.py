"""The morning slip of call-back tasks: 32 columns of a 58 mm receipt, and the bytes an
ESC/POS printer gets for it.

Widths are display columns: a Chinese character takes two (``unicodedata.east_asian_width``
W or F), so a reason in Chinese wraps at 16 characters; so do the ambiguous ones (A: □, √,
…), which a GB18030 printer prints from its double-byte font. The printer gets the text in GB18030,
the code page of the usual 58 mm printers sold in China, after ``FS &`` (their Chinese mode).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

COLUMNS = 32
OUTCOMES = ("REACHED", "NO_ANSWER", "WRONG_NUMBER", "DECLINED")

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "回访任务单",
        "day": "{day}  共{count}条",
        "empty": "这一天没有回访任务。",
        "foot": "勾选结果，并在应用中录入。",
        "RUN_OUT": "快用完",
        "BIRTHDAY": "生日",
        "FIRST_PURCHASE": "首次购买",
        "LAPSED": "流失",
        "OPEN": "待回访",
        "DONE": "已回访",
        "CLOSED": "已关闭",
        "REACHED": "接通",
        "NO_ANSWER": "未接",
        "WRONG_NUMBER": "错号",
        "DECLINED": "拒访",
    },
    "en": {
        "title": "Call-back tasks",
        "day": "{day}  {count} task(s)",
        "empty": "No call-back tasks for this day.",
        "foot": "Tick the outcome; enter it in the app.",
        "RUN_OUT": "Running out",
        "BIRTHDAY": "Birthday",
        "FIRST_PURCHASE": "First purchase",
        "LAPSED": "Lapsed",
        "OPEN": "To call",
        "DONE": "Called",
        "CLOSED": "Closed",
        "REACHED": "Reached",
        "NO_ANSWER": "No answer",
        "WRONG_NUMBER": "Wrong no.",
        "DECLINED": "Declined",
    },
}


def width(text: str) -> int:
    return sum(_char_width(c) for c in text)


def _char_width(c: str) -> int:
    if unicodedata.combining(c):
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F", "A") else 1


def _tokens(text: str) -> list[str]:
    """Words (with their trailing space) and single wide characters: where a line may break."""
    tokens: list[str] = []
    word = ""
    for c in text:
        if _char_width(c) == 2:
            if word:
                tokens.append(word)
                word = ""
            tokens.append(c)
        else:
            word += c
            if c == " ":
                tokens.append(word)
                word = ""
    if word:
        tokens.append(word)
    return tokens


def wrap(text: str, columns: int = COLUMNS, indent: str = "") -> list[str]:
    """``text`` in lines of at most ``columns`` display columns (a word longer than a line is
    cut), each after ``indent``."""
    room = columns - width(indent)
    lines: list[str] = []
    line = ""
    for token in _tokens(" ".join(text.split())):
        if width(line) + width(token.rstrip()) <= room:
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = ""
        while width(token.rstrip()) > room:  # a word wider than the line
            head = ""
            for c in token:
                if width(head + c) > room:
                    break
                head += c
            lines.append(head)
            token = token[len(head) :]
        line = token.lstrip()
    if line.strip():
        lines.append(line.rstrip())
    return [indent + line for line in lines] or [indent]


def center(text: str, columns: int = COLUMNS) -> str:
    pad = max(columns - width(text), 0) // 2
    return " " * pad + text


def slip_lines(
    tasks: Iterable[dict[str, Any]], *, store: str, day: str, lang: str = "zh"
) -> list[str]:
    """The slip, a line each, none wider than ``COLUMNS``; ``tasks`` as callbackTasks gives
    them (ranked), each with kind, status, outcome, reason and member { name phone }."""
    w = WORDS[lang]
    tasks = list(tasks)
    rule = "-" * COLUMNS
    lines = [center(w["title"]), *wrap(store), *wrap(w["day"].format(day=day, count=len(tasks)))]
    lines.append(rule)
    if not tasks:
        lines += wrap(w["empty"])
    for rank, task in enumerate(tasks, 1):
        member = task["member"]
        lines += wrap(f"{rank}. [{w[task['kind']]}] {member['name']}")
        lines += wrap(member["phone"], indent="   ")
        lines += wrap(task["reason"], indent="   ")
        if task["status"] == "OPEN":
            lines += wrap(" ".join(f"□{w[o]}" for o in OUTCOMES), indent="   ")
        else:
            done = w[task["status"]] + (f" {w[task['outcome']]}" if task.get("outcome") else "")
            lines += wrap(f"√ {done}", indent="   ")
        lines.append(rule)
    lines += wrap(w["foot"])
    return lines


# ESC/POS: FS & enters the double-byte (Chinese) mode of GB18030 printers; FS . leaves it.
CHINESE_ON = b"\x1c\x26"
CHINESE_OFF = b"\x1c\x2e"


def parse_printer(target: str) -> Any:
    """``host:port`` is a network printer (raw TCP, usually 9100); anything else a device
    file (``/dev/usb/lp0``), or a plain file to look at the bytes."""
    from escpos.printer import File, Network

    host, sep, port = target.rpartition(":")
    if sep and host and port.isdigit() and "/" not in target:
        return Network(host, int(port), timeout=10)
    return File(target)


def print_slip(printer: Any, lines: list[str]) -> None:
    """Send ``lines`` to an ESC/POS ``printer`` (python-escpos: File, Network or Dummy)."""
    printer.open()
    try:
        printer.hw("INIT")
        # python-escpos encodes text through single-byte code pages only; Chinese goes raw,
        # in the printer's own GB18030.
        printer._raw(CHINESE_ON)
        printer._raw("\n".join(lines).encode("gb18030") + b"\n")
        printer._raw(CHINESE_OFF)
        printer.cut()
    finally:
        printer.close()
