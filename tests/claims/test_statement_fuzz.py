"""Damaged statements: whatever bytes arrive, reading them gives a statement or a
StatementError with a message, never another exception (a 500)."""

import random
from decimal import Decimal

import pytest

from loket.claims import statements
from loket.claims.reference import for_number
from tests.claims import samples
from tests.claims.samples import Credit

CREDITS = [Credit(Decimal("30.00"), for_number(3)), Credit(Decimal("2.50"), None, "gift"),
           Credit(Decimal("9.99"), for_number(4), debit=True)]
VALID = {"coda": samples.coda(CREDITS), "camt053": samples.camt053(CREDITS)}


def _mutations(data: bytes, rng: random.Random, count: int):
    for _ in range(count):
        mutated = bytearray(data)
        kind = rng.randrange(4)
        if kind == 0:  # flip bytes
            for _flip in range(rng.randrange(1, 8)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        elif kind == 1:  # cut off
            del mutated[rng.randrange(1, len(mutated)):]
        elif kind == 2:  # digits into letters and back
            for _flip in range(rng.randrange(1, 8)):
                position = rng.randrange(len(mutated))
                mutated[position] = ord(rng.choice("0123456789AZ -/<>&"))
        else:  # a piece moved
            start = rng.randrange(len(mutated))
            piece = mutated[start:start + rng.randrange(1, 200)]
            del mutated[start:start + len(piece)]
            at = rng.randrange(len(mutated) + 1)
            mutated[at:at] = piece
        yield bytes(mutated)


@pytest.mark.parametrize("kind", sorted(VALID))
def test_damaged_files_are_read_or_refused_with_a_message(kind):
    rng = random.Random(f"loket-{kind}")  # the same cases every run
    read = refused = 0
    for data in _mutations(VALID[kind], rng, 400):
        try:
            statement = statements.read(data)
        except statements.StatementError as error:
            assert str(error.message)
            refused += 1
        else:
            assert all(line.amount > 0 for line in statement.lines)
            read += 1
    assert refused > 100  # the damage is noticed, not silently booked


@pytest.mark.parametrize("kind", sorted(VALID))
def test_the_undamaged_files_are_read(kind):
    statement = statements.read(VALID[kind])
    assert [line.amount for line in statement.lines] == [Decimal("30.00"), Decimal("2.50")]
