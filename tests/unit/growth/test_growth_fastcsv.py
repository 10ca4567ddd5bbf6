"""The fast path for plain CSV files writes the same bytes as pandas' general path.

Every comparison runs :func:`convert_csv` twice, with and without the fast path, and first
checks that the fast path really converted the file (``_convert_plain`` does not give up),
so that a file silently sent to the general path cannot make a comparison pass.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

from alima.growth import csvio, fastcsv
from alima.growth.csvio import convert_csv
from alima.growth.fastcsv import NotPlain, parse_decimals
from alima.growth.numtext import format_g15, format_two_decimals

ADDED = {
    "clenhei", "cbmi", "zlen", "zwei", "zwfl", "zbmi", "zac",
    "flen", "fwei", "fwfl", "fbmi", "fac", "zscore_note",
}  # fmt: skip
TRUTH_FILES = [
    "edge_cases_input.csv",
    "synthetic_cases_input.csv",
    "who_anthro_R_MySurvey_truth.csv",
    "who_anthro_R_edge_truth.csv",
    "who_anthro_R_synthetic_truth.csv",
]


def fast_and_general(source: Path, tmp_path: Path, chunk_size: int) -> tuple[bytes, bytes]:
    """Output of the fast path (which must accept the file) and of the general path."""
    fast, general = tmp_path / "fast.csv", tmp_path / "general.csv"
    plain = csvio._convert_plain(
        source, fast, chunk_size=chunk_size, on_progress=None, threads=None
    )
    summary = convert_csv(source, general, chunk_size=chunk_size, fast=False)
    assert (plain.rows, plain.noted_rows, plain.bad_rows) == (
        summary.rows,
        summary.noted_rows,
        summary.bad_rows,
    )
    return fast.read_bytes(), general.read_bytes()


def write_plain(rows: list[list[str]], path: Path, *, line_end: str = "\n") -> Path:
    path.write_bytes("".join(",".join(row) + line_end for row in rows).encode())
    return path


def plain_copy(source: Path, target: Path) -> Path:
    """``source`` without quotes, without the columns alima adds, commas in values as ';'."""
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    keep = [i for i, name in enumerate(rows[0]) if name not in ADDED]
    cleaned = [[row[i].replace(",", ";").replace('"', "'") for i in keep] for row in rows]
    return write_plain(cleaned, target)


@pytest.mark.parametrize("name", TRUTH_FILES)
@pytest.mark.parametrize("chunk_size", [7, 100_000])
def test_who_truth_files(name: str, chunk_size: int, tmp_path: Path, truth_dir: Path) -> None:
    source = plain_copy(truth_dir / name, tmp_path / "in.csv")
    fast, general = fast_and_general(source, tmp_path, chunk_size)
    assert fast == general
    assert fast.count(b"\n") > 60


def generated_rows(n: int, seed: int) -> list[list[str]]:
    """Children around plausible values, with missing values, odd spellings and bad values."""
    rng = np.random.default_rng(seed)

    def pick(common: list[str], odd: list[str], share: float) -> list[str]:
        values = rng.choice(common, n).astype(object)
        swap = rng.random(n) < share
        values[swap] = rng.choice(odd, int(swap.sum()))
        return [str(v) for v in values]

    age = [str(v) for v in rng.integers(0, 1900, n)]
    odd_numbers = ["", "NA", "-3", "abc", "1e2", " 12", "12.", ".5", "0", "007", "nan", "inf"]
    weight = [
        f"{v:.{d}f}" for v, d in zip(rng.uniform(2, 30, n), rng.integers(0, 4, n), strict=True)
    ]
    lenhei = [
        f"{v:.{d}f}" for v, d in zip(rng.uniform(40, 125, n), rng.integers(0, 3, n), strict=True)
    ]
    muac = [f"{v:.1f}" for v in rng.uniform(8, 20, n)]
    long_digits = [
        "12.3456789012345678",
        "99999999999999999",
        "3.14159265358979",
        "1234567890123457",
    ]
    columns = {
        "id": [str(i) for i in range(1, n + 1)],
        "village": pick(["Zinder", "Kantché", "Dogo 2", "Mirriah"], ["", " padded ", "Ségou"], 0.1),
        "sex": pick(["1", "2"], ["m", "F", "3", "", "1.0", "x"], 0.05),
        "age_days": [a if rng.random() > 0.05 else rng.choice(odd_numbers) for a in age],
        "weight": [
            w if rng.random() > 0.03 else rng.choice(odd_numbers + long_digits) for w in weight
        ],
        "lenhei": [x if rng.random() > 0.03 else rng.choice(odd_numbers) for x in lenhei],
        "measure": pick(["l", "h", ""], ["L", "H", "x", " l", "lh"], 0.05),
        "muac": [
            m if rng.random() > 0.05 else rng.choice(["", "NA", "0", "-1", "9999"]) for m in muac
        ],
        "oedema": pick(["n", "n", "n", "y"], ["", "1", "2", "yes", "maybe", "Y"], 0.05),
        "comment": pick(["", "ok", "vu à domicile"], ["été", "€ 5"], 0.05),
    }
    names = list(columns)
    return [names, *([columns[c][i] for c in names] for i in range(n))]


@pytest.mark.parametrize("chunk_size", [1, 50, 100_000])
def test_generated_file_with_odd_values(
    chunk_size: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fastcsv, "SLICE_ROWS", 64)  # blocks computed in several slices
    source = write_plain(generated_rows(1_500, seed=chunk_size), tmp_path / "in.csv")
    fast, general = fast_and_general(source, tmp_path, chunk_size)
    assert fast == general
    text = fast.decode()
    # The file has what it is meant to have: notes, flags, oedema and bad rows.
    assert "is not a number" in text
    assert "must be greater than 0" in text
    assert ",1,0,0,0,0," in text or ",0,1,0,0,0," in text or ",0,0,1,0,0," in text


def test_columns_without_odd_values_take_the_vectorised_parser(tmp_path: Path) -> None:
    rows = generated_rows(400, seed=3)
    names = rows[0]
    clean = [names]
    for row in rows[1:]:
        values = dict(zip(names, row, strict=True))
        values.update(sex="1", measure="l", oedema="n")
        for name in ("age_days", "weight", "lenhei", "muac"):
            if not values[name].replace(".", "", 1).isdigit() or len(values[name]) > 15:
                values[name] = ""
        clean.append([values[n] for n in names])
    source = write_plain(clean, tmp_path / "in.csv")
    fast, general = fast_and_general(source, tmp_path, 100)
    assert fast == general


@pytest.mark.parametrize(
    "variant",
    [
        "crlf",
        "blank lines",
        "bom",
        "no final newline",
        "header only then rows",
        "one column more",
        "long text",
    ],
)
def test_plain_variants(variant: str, tmp_path: Path) -> None:
    rows = generated_rows(300, seed=7)
    source = tmp_path / "in.csv"
    if variant == "crlf":
        write_plain(rows, source, line_end="\r\n")
    elif variant == "blank lines":
        body = "\n".join(",".join(r) for r in rows)
        source.write_bytes(body.replace("\n1", "\n\n\n1").encode() + b"\n\n")
    elif variant == "bom":
        source.write_bytes(b"\xef\xbb\xbf" + write_plain(rows, source).read_bytes())
    elif variant == "no final newline":
        source.write_bytes(write_plain(rows, source).read_bytes().rstrip(b"\n"))
    elif variant == "header only then rows":
        write_plain([rows[0], *rows[1:3]], source)
    elif variant == "long text":  # a long comment, and long values in the input columns
        long_rows = [rows[0], *([*r[:-1], "é" * (i * 37 % 3000)] for i, r in enumerate(rows[1:]))]
        long_rows[5][3] = "12.5" + "0" * 40
        long_rows[9][2] = "x" * 500
        long_rows[12][6] = "l" * 30
        write_plain(long_rows, source)
    else:
        write_plain([[*r, f"x{i}"] for i, r in enumerate(rows)], source)
    fast, general = fast_and_general(source, tmp_path, 64)
    assert fast == general


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("quotes after the first block", None),
        ("ragged line", b"2,400,10,76,l,15,n,extra\n"),
        ("short line", b"2,400,10,76,l,15\n"),
        ("latin-1", b"2,400,10,76,l,15,n\xe9\n"),
        ("lone CR", b"2,400,10,76,l,15,n\r2,400,10,76,l,15,n\n"),
        ("NUL byte", b"2,400,10,76,l,15,\0n\n"),
        ("whitespace line", b"   \n"),
    ],
)
def test_other_files_go_to_the_general_path(
    name: str, content: bytes | None, tmp_path: Path
) -> None:
    header = b"sex,age_days,weight,lenhei,measure,muac,oedema\n"
    rows = b"".join(b"2,400,10,76,l,15,n\n" for _ in range(20))
    tail = b'1,"1000",13,90,l,15.5,n\n' if content is None else content
    source = tmp_path / "in.csv"
    source.write_bytes(header + rows + tail + rows)
    with pytest.raises(NotPlain):
        csvio._convert_plain(
            source, tmp_path / "fast.csv", chunk_size=10, on_progress=None, threads=None
        )
    convert_csv(source, tmp_path / "default.csv", chunk_size=10)
    convert_csv(source, tmp_path / "general.csv", chunk_size=10, fast=False)
    assert (tmp_path / "default.csv").read_bytes() == (tmp_path / "general.csv").read_bytes()


@pytest.mark.parametrize(
    "header",
    [
        "sex,age_days,weight,lenhei,measure,muac,oedema,sex",  # pandas renames sex.1
        "sex,age_days,weight,lenhei,measure,muac,oedema,",  # pandas names it Unnamed: 7
        "sex,age_days,weight,lenhei,measure,muac,oedema,zlen",  # replaced by the new zlen
        '"sex",age_days,weight,lenhei,measure,muac,oedema',
    ],
)
def test_headers_the_fast_path_leaves_alone(header: str, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    extra = "" if header.endswith("oedema") else ",x"
    source.write_text(header + "\n" + f"2,400,10,76,l,15,n{extra}\n" * 3, encoding="utf-8")
    with pytest.raises(NotPlain):
        csvio._convert_plain(
            source, tmp_path / "fast.csv", chunk_size=10, on_progress=None, threads=None
        )


def python_g15(values: np.ndarray) -> list[str]:
    return ["," + format(v, ".15g") if np.isfinite(v) else "," for v in values.tolist()]


def test_g15_formatting_is_pythons() -> None:
    rng = np.random.default_rng(5)
    halves = rng.integers(10**14, 10**15, 20_000).astype(float)  # 16 digits ending in 5: ties
    values = np.concatenate(
        [
            rng.uniform(5, 40, 50_000),  # BMIs
            np.round(rng.uniform(40, 125, 20_000), 1) + 0.7,  # corrected lengths
            np.round(rng.uniform(40, 125, 20_000), 1),  # lengths as measured: the table's
            np.round(rng.uniform(0, 400, 20_000), 2),  # hundredths, some beyond the table
            np.exp(rng.uniform(-12, 40, 50_000)),  # every exponent, 1e-5 to 1e17
            -rng.uniform(0, 100, 1_000),
            halves + 0.5,
            halves + 0.25,
            rng.integers(10**13, 10**14, 20_000) + 0.05,
            np.arange(1, 20_000) / 64.0,
            10.0 ** np.arange(-5, 18),
            np.nextafter(10.0 ** np.arange(0, 17), 0),
            np.nextafter(10.0 ** np.arange(0, 17), np.inf),
            [np.nan, np.inf, -np.inf, 0.0, -0.0, 9.999999999999995, 999999999999999.9, 1e15],
        ]
    )
    items, lengths = format_g15(values)
    texts = [item.decode() for item in items.tolist()]
    assert texts == python_g15(values)
    assert [len(t) for t in texts] == lengths.tolist()


def test_two_decimal_text_is_the_general_paths() -> None:
    keys = np.arange(-csvio._TABLE_LIMIT - 300, csvio._TABLE_LIMIT + 301)
    values = np.concatenate([keys / 100.0, [np.nan, -0.0, -0.001, 1e300, -np.inf]])
    items, lengths = format_two_decimals(values)
    texts = [item.decode() for item in items.tolist()]
    assert texts == ["," + t for t in csvio.format_two_decimals(values).tolist()]
    assert [len(t) for t in texts] == lengths.tolist()


def test_progress_and_summary_of_the_fast_path(tmp_path: Path) -> None:
    source = write_plain(generated_rows(250, seed=11), tmp_path / "in.csv")
    calls: list[tuple[int, int]] = []
    summary = convert_csv(
        source, tmp_path / "out.csv", chunk_size=100, on_progress=lambda b, r: calls.append((b, r))
    )
    assert [rows for _, rows in calls] == [100, 200, 250]
    assert calls[-1][0] == source.stat().st_size
    assert summary.rows == 250
    assert summary.skipped_lines == []
    assert io.BytesIO((tmp_path / "out.csv").read_bytes()).read().count(b"\n") == 251


def parsed(texts: list[str]) -> np.ndarray | None:
    data = "\n".join(texts).encode() + bytes(64)
    stops = np.cumsum([len(t) + 1 for t in texts]) - 1
    firsts = stops - np.array([len(t) for t in texts])
    return parse_decimals(fastcsv._fields(data, firsts, stops))


@pytest.mark.parametrize("longest", [8, 15])  # one uint64 per field, or byte by byte
def test_plain_decimals_are_read_as_float_reads_them(longest: int) -> None:
    rng = np.random.default_rng(9)
    texts = ["0", "007", "12.", ".5", "", "1826", "3.3", "99999999", "9.468585"]
    if longest > 8:
        texts += ["999999999999999", "9.46858501775486"]
    for _ in range(3_000):
        digits = "".join(rng.choice(list("0123456789"), int(rng.integers(1, longest))))
        dot = int(rng.integers(0, len(digits) + 1))
        texts.append(digits[:dot] + "." + digits[dot:] if rng.random() < 0.8 else digits)
    texts = [t for t in texts if t != "."]
    values = parsed(texts)
    assert values is not None
    expected = [float(t) if t else np.nan for t in texts]
    np.testing.assert_array_equal(values, expected)


@pytest.mark.parametrize(
    "odd",
    ["1.2.3", ".", "..", "-1", "1e5", " 12", "NA", "1,5", "1234567890123456", "95.74890682883607"],
)
def test_other_spellings_are_left_to_the_general_parser(odd: str) -> None:
    assert parsed(["12.5", odd, "3"]) is None


@pytest.mark.parametrize(("threads", "processes"), [(2, 1), (1, 2), (1, 3)])
def test_blocks_in_threads_or_processes_write_the_same_bytes_in_the_callers_locale(
    tmp_path: Path, threads: int, processes: int
) -> None:
    source = write_plain(generated_rows(600, seed=13), tmp_path / "in.csv")
    serial, parallel = tmp_path / "serial.csv", tmp_path / "parallel.csv"
    one = csvio._convert_plain(source, serial, chunk_size=50, on_progress=None, threads=None)
    many = csvio._convert_plain(
        source,
        parallel,
        chunk_size=50,
        on_progress=None,
        threads=threads,
        processes=processes,
    )
    assert parallel.read_bytes() == serial.read_bytes()
    assert (many.rows, many.noted_rows, many.bad_rows) == (one.rows, one.noted_rows, one.bad_rows)
    assert b"is not a number" in parallel.read_bytes()  # English, as the test's locale
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "parallel.csv", "serial.csv"]


@pytest.mark.parametrize(("row", "processes"), [(350, 2), (25, 2), (175, 3), (120, 4)])
def test_a_file_that_stops_being_plain_in_a_worker_leaves_nothing_behind(
    tmp_path: Path, row: int, processes: int
) -> None:
    rows = generated_rows(400, seed=5)
    rows[row][0] = '"quoted"'  # a quote in one block: not plain, found by a worker
    source = write_plain(rows, tmp_path / "in.csv")
    with pytest.raises(NotPlain):  # every block after it gives up too: nothing waits forever
        csvio._convert_plain(
            source,
            tmp_path / "out.csv",
            chunk_size=50,
            on_progress=None,
            threads=1,
            processes=processes,
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]
    summary = convert_csv(source, tmp_path / "out.csv", chunk_size=50, processes=2)
    general = convert_csv(source, tmp_path / "general.csv", chunk_size=50, fast=False)
    assert summary.rows == general.rows
    assert (tmp_path / "out.csv").read_bytes() == (tmp_path / "general.csv").read_bytes()


@pytest.mark.parametrize("read_bytes", [1, 2, 3, 7, 64, 1 << 20])
@pytest.mark.parametrize("ending", [b"\n", b"\r\n"])
def test_spans_count_non_blank_lines_whatever_the_reads(
    read_bytes: int, ending: bytes, tmp_path: Path
) -> None:
    lines = [b"a,1", b"", b"bb,22", b"", b"", b"c,3", b"dd,4", b"", b"e,5", b"f,6", b"g,7"]
    body = ending.join(lines)
    for tail in (b"", ending, ending * 2):  # no final line feed, one, then a blank line
        source = tmp_path / "in.csv"
        source.write_bytes(b"x,y" + ending + body + tail)
        with source.open("rb") as handle:
            handle.readline()
            found = list(fastcsv.spans(handle, 3, read_bytes=read_bytes))
        assert [span.rows for span in found] == [3, 3, 1]
        assert found[0].offset == len(b"x,y" + ending)
        assert found[-1].end == source.stat().st_size
        read = [fastcsv.read_block(str(source), span) for span in found]
        texts = [
            block.data[a:b] for block in read for a, b in zip(block.starts, block.ends, strict=True)
        ]
        assert texts == [line for line in lines if line]
