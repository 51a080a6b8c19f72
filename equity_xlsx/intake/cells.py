"""Reading one cell as a number, or saying in Chinese why it is not one.

Never guess: "—", "无", "12人" or "1,2" are errors naming the cell, not 0 or 12. Numbers
stored as text ("1,234", " 12 ") are numbers.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any

_DIGITS = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}
_DIGITS.update({0xFF0E: ".", 0xFF0C: ",", 0xFF0D: "-", 0xFF0B: "+", 0x3000: " ", 0xA0: " "})

_PLAIN = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_NUM_WITH_SUFFIX = re.compile(r"([+-]?\d[\d,]*\.?\d*)\s*(\S+)")
_EXCEL_ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!", "#GETTING_DATA")
NONE_WORDS = ("-", "—", "–", "——", "--", "/", "\\", "无", "空", "暂无", "没有", "×", "x", "X", "－", "／")


def parse_number(v: Any) -> tuple[float | None, str | None]:
    """A cell value -> (number, None), (None, None) for blank, or (None, Chinese reason)."""
    t = type(v)
    if t is float or t is int:
        if math.isfinite(v):
            return float(v), None
        return None, "不是有效数字"
    if v is None or v == "":
        return None, None
    if t is bool:
        return None, f"是逻辑值 {'TRUE' if v else 'FALSE'}，不是数字"
    if isinstance(v, (_dt.datetime, _dt.date, _dt.time, _dt.timedelta)):
        return None, f"是日期/时间（{v}），不是数字（单元格可能被设成了日期格式）"
    if not isinstance(v, str):
        return None, f"“{v}”不是数字"
    s = v.translate(_DIGITS).strip()
    if not s:
        return None, None
    if _PLAIN.fullmatch(s):
        return float(s), None
    if _THOUSANDS.fullmatch(s):
        return float(s.replace(",", "")), None
    if s.upper() in _EXCEL_ERRORS:
        return None, f"公式结果为错误值 {s}，不是数字"
    if s in NONE_WORDS:
        return None, f"“{s}”不是数字：若应为 0 请填写 0，若没有数据请留空"
    if "," in s and re.fullmatch(r"[+-]?[\d,]+(?:\.\d+)?", s):
        return None, f"“{s}”不是规范的数字（逗号位置不符合千分位），无法判断是多少"
    m = _NUM_WITH_SUFFIX.fullmatch(s)
    if m:
        return None, f"“{s}”含有文字，不是纯数字；请只填写数字（单位写在表头）"
    return None, f"“{s}”不是数字"


def text_of(v: Any) -> str:
    """A cell value as text for name/code/type columns (12.0 -> "12")."""
    if v is None or v == "":
        return ""
    if type(v) is float and v.is_integer():
        return str(int(v))
    if type(v) is str:
        return v.strip()
    return str(v)


def parse_ratio(v: Any, percent_header: bool = False) -> tuple[float | None, str | None]:
    """A county ratio: "96%" or 0.96 -> 0.96; 96 under a "(%)" label -> 0.96.

    Under a "(%)" label a value up to 1 is read as already a ratio, because a cell
    formatted as a percentage stores 0.96 for what it shows as 96%.

    A bare number above 1 without a % anywhere is ambiguous and reported, never guessed.
    """
    if isinstance(v, str):
        s = v.translate(_DIGITS).strip()
        if s.endswith(("%", "％")):
            num, err = parse_number(s[:-1])
            if err or num is None:
                return None, f"“{s}”不是有效的百分数"
            return num / 100.0, None
        v = s
    num, err = parse_number(v)
    if err or num is None:
        return num, err
    if percent_header and num > 1:
        return num / 100.0, None
    if num < 0:
        return None, f"比例“{text_of(v)}”不能为负数"
    if num > 1:
        return None, f"比例“{text_of(v)}”大于 1：请写成小数（如 0.96）或百分数（如 96%）"
    return num, None


def to_canonical(value: float, factor: float) -> float:
    """``value`` in a header's unit → canonical unit (元, m², count).

    98.32 万元 × 10000 is 983199.9999999999 in binary floating point; rounding the product
    to 6 decimals (a millionth of a 元 or m²) gives back the number the person wrote.
    """
    return value if factor == 1 else round(value * factor, 6)
