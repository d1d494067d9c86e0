"""Data for the browser, shipped as a script file that sets one global.

A page opened from `file://` cannot fetch a JSON file, but it can load a script: the search
index (`window.REQFORGE_SEARCH`) and the matrix rows (`window.REQFORGE_MATRIX`) are written as
`window.NAME = {...};`. The JSON is compact and key-sorted (the same data, the same bytes) with
`<`, `>`, `&`, U+2028 and U+2029 escaped, so neither `</script>` nor a line separator in the
data can end the script or break its parsing, and a lone surrogate (from a file name that is not
UTF-8) as U+FFFD, so that the script encodes as UTF-8.
"""

from __future__ import annotations

import json
import re
from typing import Any

# What would end the script or break it: `</script>`, `<!--` and the line separators that
# JavaScript once read as line ends inside strings.
_SCRIPT_UNSAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


_SURROGATE = re.compile("[\ud800-\udfff]")


def data_script(name: str, data: Any) -> str:
    """`window.<name> = <data as safe JSON>;` and a newline."""
    return f"window.{name} = {safe_json(data)};\n"


def safe_json(data: Any) -> str:
    """`data` as the compact, key-sorted JSON `data_script` writes, safe inside a script. Each
    replacement is of one character: the safe JSON of a list is its items' safe JSON joined
    by commas in brackets, so a script can be assembled from pieces kept from a build before."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # One pass over the whole text, not one per value: the data rarely holds a lone surrogate.
    text = _SURROGATE.sub("\ufffd", text)
    return _UNSAFE.sub(_escaped, text)


_UNSAFE = re.compile("[<>&\u2028\u2029]")


def _escaped(match: re.Match[str]) -> str:
    return _SCRIPT_UNSAFE[match.group()]
