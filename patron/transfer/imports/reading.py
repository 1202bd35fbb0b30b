"""Reading an import file: CSV in any common dialect and encoding, or XLSX, as numbered rows.

Rows come one at a time (memory stays flat for a million rows) as ``SourceRow``: the row's
number under the header, the file line it starts on, and its cells by header.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext

from patron.core.errors import ValidationFailed
from patron.transfer import xlsx

DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024
MAX_CELL = 100_000  # longer cells are refused (a 10,000-character note is fine)
MAX_COLUMNS = 500
# XLSX is a zip: refuse one that would unpack to more than this, or that packs too tightly (a zip bomb).
XLSX_MAX_UNPACKED = 1024 * 1024 * 1024
XLSX_MAX_RATIO = 200


@dataclass(frozen=True)
class SourceRow:
    number: int  # 1 = the first row under the header
    line: int  # where it starts in the file (the header is line 1)
    cells: dict[str, str]
    extra_cells: int = 0  # cells beyond the header's columns (a ragged row)


@dataclass(frozen=True)
class FileLayout:
    headers: list[str]
    encoding: str
    delimiter: str


def max_upload_bytes() -> int:
    return getattr(settings, "PATRON_IMPORT_MAX_BYTES", 512 * 1024 * 1024)


def file_format(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    raise ValidationFailed(gettext("Choose a CSV or XLSX file."), field="file", code="unsupported-format")


def _unreadable(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="file", code="unreadable-file")


# --- CSV ----------------------------------------------------------------------------------------

def _codec(encoding: str) -> str:
    name = (encoding or "utf-8-sig").strip().lower()
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise ValidationFailed(gettext("Unknown encoding %(encoding)s; try utf-8, cp1252 or latin-1.") % {
            "encoding": repr(encoding)},
                               field="encoding") from None
    return "utf-8-sig" if codec == "utf-8" else codec


def csv_layout(path: str, *, encoding: str = "", delimiter: str = "") -> FileLayout:
    """The header and dialect of a CSV file; a clear error when it cannot be read as text."""
    codec = _codec(encoding)
    with open(path, "rb") as stream:
        sample_bytes = stream.read(SNIFF_BYTES)
    if not sample_bytes.strip():
        raise _unreadable("The file is empty.")
    try:
        sample = sample_bytes.decode(codec)
    except UnicodeDecodeError as error:
        cut_short = len(sample_bytes) == SNIFF_BYTES and error.start >= len(sample_bytes) - 4
        if not cut_short:  # a character cut at the sample's end is not the file's fault
            raise _unreadable(_not_in_encoding(codec, line=sample_bytes[:error.start].count(b"\n") + 1)) from None
        sample = sample_bytes[:error.start].decode(codec)
    if delimiter:
        chosen = "\t" if delimiter in ("\\t", "tab") else delimiter
        if len(chosen) != 1:
            raise ValidationFailed(gettext("The delimiter is one character, e.g. ; or , or tab."), field="delimiter")
    else:
        chosen = _sniff_delimiter(sample)
    with open(path, encoding=codec, newline="", errors="replace") as stream:
        header = next(csv.reader(stream, delimiter=chosen), [])
    return FileLayout(headers=_checked_headers(header), encoding=codec, delimiter=chosen)


def _sniff_delimiter(sample: str) -> str:
    first_line = sample.lstrip("\ufeff").splitlines()[0] if sample.strip() else ""
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {candidate: first_line.count(candidate) for candidate in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _not_in_encoding(codec: str, *, line: int) -> str:
    shown = "UTF-8" if codec == "utf-8-sig" else codec
    return (f"Line {line} is not valid {shown} text. Choose the file's encoding (older Windows programs "
            "write cp1252; some write latin-1) and try again.")


def _checked_headers(header: list[str]) -> list[str]:
    headers = [cell.strip().lstrip("\ufeff").strip() for cell in header]
    if not any(headers):
        raise _unreadable("The first row must name the columns.")
    if len(headers) > MAX_COLUMNS:
        raise _unreadable(f"The file has {len(headers)} columns; at most {MAX_COLUMNS} can be imported.")
    seen: set[str] = set()
    for index, name in enumerate(headers):
        name = name or f"Column {index + 1}"
        while name.casefold() in seen:
            name = f"{name} ({index + 1})"
        seen.add(name.casefold())
        headers[index] = name
    return headers


def csv_rows(path: str, layout: FileLayout, *, start_after: int = 0) -> Iterator[SourceRow]:
    csv.field_size_limit(MAX_CELL + 1)
    with open(path, encoding=layout.encoding, newline="") as stream:
        reader = csv.reader(stream, delimiter=layout.delimiter)
        try:
            next(reader, None)
            number, line = 0, reader.line_num + 1
            for cells in reader:
                if not any(cell.strip() for cell in cells):
                    line = reader.line_num + 1
                    continue
                number += 1
                if number > start_after:
                    yield _source_row(number, line, layout.headers, cells)
                line = reader.line_num + 1
        except UnicodeDecodeError:
            raise _unreadable(_not_in_encoding(layout.encoding, line=reader.line_num + 1)) from None
        except csv.Error as error:
            raise _unreadable(f"Line {reader.line_num}: {error} (a cell over {MAX_CELL:,} characters, or a "
                              "quote that is never closed).") from None


def _source_row(number: int, line: int, headers: list[str], cells: list) -> SourceRow:
    values = {header: _cell(cells[index]) if index < len(cells) else "" for index, header in enumerate(headers)}
    extra = sum(1 for cell in cells[len(headers):] if _cell(cell))
    return SourceRow(number=number, line=line, cells=values, extra_cells=extra)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        value = value.isoformat()
        value = value[:-9] if value.endswith("T00:00:00") else value
    return str(value).strip()


# --- XLSX ---------------------------------------------------------------------------------------

def check_xlsx(path: str) -> None:
    """Refuse what is not an XLSX file, and a zip bomb, before openpyxl unpacks anything."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise _unreadable("This is not an XLSX file (it is not a valid Office Open XML workbook).") from None
    if not any(member.filename == "[Content_Types].xml" for member in members):
        raise _unreadable("This is not an XLSX file (it is not a valid Office Open XML workbook).")
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    if unpacked > XLSX_MAX_UNPACKED or unpacked / packed > XLSX_MAX_RATIO:
        raise _unreadable(f"The workbook would unpack to {unpacked:,} bytes from {packed:,}: refused as unsafe "
                          "(a zip bomb). Save it as CSV, or split it.")


def _xlsx_sheet(path: str):
    from openpyxl import load_workbook

    check_xlsx(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        # Its message names the file by its path, on the server a temporary file: say only its name
        # (and leave out the lines that send a programmer to the traceback).
        reason = str(error).replace(str(path), Path(path).name).splitlines()[0]
        raise _unreadable(gettext("The workbook cannot be read: %(reason)s") % {"reason": reason}) from None
    return workbook, workbook.worksheets[0]


def xlsx_layout(path: str) -> FileLayout:
    workbook, sheet = _xlsx_sheet(path)
    try:
        header = next(sheet.iter_rows(values_only=True), ())
        return FileLayout(headers=_checked_headers([_cell(value) for value in header]), encoding="", delimiter="")
    finally:
        workbook.close()


def xlsx_rows(path: str, layout: FileLayout, *, start_after: int = 0) -> Iterator[SourceRow]:
    workbook, sheet = _xlsx_sheet(path)
    try:
        number = 0
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if line == 1 or not any(_cell(value) for value in values):
                continue
            number += 1
            if number > start_after:
                cells = [_cell(xlsx.unescaped(value) if isinstance(value, str) else value) for value in values]
                if any(len(cell) > MAX_CELL for cell in cells):
                    raise _unreadable(f"Line {line}: a cell over {MAX_CELL:,} characters.")
                yield _source_row(number, line, layout.headers, cells)
    finally:
        workbook.close()


# --- either -------------------------------------------------------------------------------------

def layout_of(path: str, fmt: str, *, encoding: str = "", delimiter: str = "") -> FileLayout:
    return csv_layout(path, encoding=encoding, delimiter=delimiter) if fmt == "csv" else xlsx_layout(path)


def rows_of(path: str, fmt: str, layout: FileLayout, *, start_after: int = 0) -> Iterator[SourceRow]:
    reader = csv_rows if fmt == "csv" else xlsx_rows
    return reader(path, layout, start_after=start_after)


def count_rows(path: str, fmt: str, layout: FileLayout) -> int:
    return sum(1 for _ in rows_of(path, fmt, layout))
