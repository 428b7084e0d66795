"""Sprig's random functions, all drawing from :attr:`Seams.rng` (seedable for tests)."""

from __future__ import annotations

import base64
import string
import uuid
from collections.abc import Callable

from helmpy.engine.gotemplate.funcs._sig import INT, STR, go
from helmpy.engine.gotemplate.funcs.errors import FuncError
from helmpy.engine.gotemplate.funcs.limits import check_size
from helmpy.engine.gotemplate.funcs.seams import Seams

_ALNUM = string.ascii_letters + string.digits
_ASCII = "".join(chr(c) for c in range(32, 127))


def make_random_funcs(seams: Seams) -> dict[str, Callable[..., object]]:
    rng = seams.rng

    def chooser(chars: str) -> Callable[[int], str]:
        @go(INT)
        def rand_string(count: int) -> str:
            if count <= 0:
                return ""  # goutils refuses a negative count; Sprig drops the error
            check_size(count)
            return "".join(rng.choice(chars) for _ in range(count))

        return rand_string

    @go(INT, INT)
    def rand_int(lo: int, hi: int) -> int:
        if hi - lo <= 0:
            raise FuncError("invalid argument to Intn", panic=True)
        return lo + rng.randrange(hi - lo)

    @go(INT)
    def rand_bytes(count: int) -> str:
        if count < 0:
            raise FuncError("runtime error: makeslice: len out of range", panic=True)
        check_size(count)
        return base64.b64encode(bytes(rng.getrandbits(8) for _ in range(count))).decode()

    @go()
    def uuidv4() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    @go(STR)
    def shuffle(s: str) -> str:
        chars = list(s)
        rng.shuffle(chars)
        return "".join(chars)

    return {"randAlphaNum": chooser(_ALNUM), "randAlpha": chooser(string.ascii_letters),
            "randNumeric": chooser(string.digits), "randAscii": chooser(_ASCII), "randInt": rand_int,
            "randBytes": rand_bytes, "uuidv4": uuidv4, "shuffle": shuffle}
