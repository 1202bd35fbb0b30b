"""A streaming XLSX (Office Open XML spreadsheet) writer: one sheet, rows written as they come.

openpyxl's write-only mode builds an object per cell and took over six minutes for a million
customers; here a row is one string built from the cells' values, so the sheet can be written by
the export's worker processes and put together in order. Rows and cells carry no references
(``r`` is optional, ECMA-376 18.3.1.4 and 18.3.1.73): a row's place is its order, a cell's place
its order in the row, and an empty cell is written as ``<c/>`` so the next keeps its column.

Text is an inline string (``t="inlineStr"``): typed as text, it is shown and never run as a
formula (test S7), and no table of shared strings has to be held in memory. The zip is written
to a stream that is never sought, so the workbook can be sent while it is written.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

DATE_STYLE, MOMENT_STYLE, HEADER_STYLE = 1, 2, 3  # indexes into cellXfs of STYLES
_EPOCH_ORDINAL = date(1899, 12, 30).toordinal()  # day 0 of the 1900 date system (with Excel's leap-year gap)
_UNIX_EPOCH_SERIAL = 25569  # 1970-01-01 in the 1900 date system
MAX_ROWS = 1_048_576  # a sheet's rows in Excel and LibreOffice

# Characters that need more than the plain cell: XML's markup, control characters XML 1.0 cannot
# carry, text that reads like the format's own escapes (_x0041_), and space at either end.
_NEEDS_CARE = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_|^\s|\s$")
_ESCAPED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


_UNPLAIN = re.compile(r"[&<>\x00-\x1e\ufffe\uffff]")  # \x1f: all_plain's separator


def all_plain(texts: list[str]) -> bool:
    """Whether every text can go in a cell as it is: in one scan of them all, which is far
    quicker than a check of each (a text is short). It may say no to a text that is plain
    (tab, line break, "  " between texts), never yes to one that is not."""
    joined = "\x1f".join(texts)
    return (_UNPLAIN.search(joined) is None and "_x" not in joined and " \x1f" not in joined
            and "\x1f " not in joined and joined[:1] != " " and joined[-1:] != " "
            and joined.count("\x1f") == len(texts) - 1)


def text_cell(value: str) -> str:
    """A text cell, typed as text (never a formula); ``<c/>`` for no text."""
    if not value:
        return "<c/>"
    if _NEEDS_CARE.search(value) is None:
        return f'<c t="inlineStr"><is><t>{value}</t></is></c>'
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = _ESCAPED.sub(lambda found: f"_x{ord(found.group()):04X}_", escaped)
    return f'<c t="inlineStr"><is><t xml:space="preserve">{escaped}</t></is></c>'


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescaped(text: str) -> str:
    """A cell's text as a spreadsheet shows it: _xHHHH_ is the character HHHH (openpyxl reads
    the escapes as they are written)."""
    return _ESCAPE.sub(lambda escape: chr(int(escape[1], 16)), text) if "_x" in text else text


def value_cell(value) -> str:
    """A cell typed by its value: numbers as numbers, dates and moments (UTC; a spreadsheet has no
    time zones) as dates, yes/no as a boolean, anything else as text."""
    kind = type(value)
    if kind is str:
        return text_cell(value)
    if value is None:
        return "<c/>"
    if kind is bool:
        return f'<c t="b"><v>{value:d}</v></c>'
    if kind is int or kind is Decimal:
        return f"<c><v>{value}</v></c>"
    if kind is datetime:
        return moment_cell(value)
    if kind is UUID:  # hexadecimal digits and dashes: nothing to escape
        return f'<c t="inlineStr"><is><t>{value}</t></is></c>'

    if kind is date:
        return f'<c s="{DATE_STYLE}"><v>{value.toordinal() - _EPOCH_ORDINAL}</v></c>'
    return text_cell(str(value))


def moment_cell(value: datetime | None) -> str:
    if value is None:
        return "<c/>"
    seconds = value.timestamp() if value.tzinfo else value.replace(tzinfo=UTC).timestamp()
    return f'<c s="{MOMENT_STYLE}"><v>{seconds / 86400 + _UNIX_EPOCH_SERIAL!r}</v></c>'


def sheet_head(header: list[str]) -> str:
    """The sheet's XML up to its rows, with the header row in bold and frozen above the rest."""
    cells = "".join(text_cell(name).replace("<c ", f'<c s="{HEADER_STYLE}" ', 1) for name in header)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            f"<sheetData><row>{cells}</row>")


SHEET_TAIL = "</sheetData></worksheet>"


def workbook(sheet_name: str, sheet_pieces: Iterable[bytes]) -> Iterator[bytes]:
    """An XLSX file of one sheet, in pieces as it is written. ``sheet_pieces`` is the sheet's XML
    (``sheet_head``, rows, ``SHEET_TAIL``) as UTF-8. No zip64: Excel reads only a strict form of
    it when streamed, and MAX_ROWS rows stay far below 4 GB unless their cells average 90 bytes."""
    out = _Pieces()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in _parts(sheet_name).items():
            archive.writestr(_member(name), text)
        yield out.take()
        with archive.open(_member("xl/worksheets/sheet1.xml"), "w") as sheet:
            for piece in sheet_pieces:
                sheet.write(piece)
                yield out.take()
    yield out.take()


def _member(name: str) -> zipfile.ZipInfo:
    """A part dated 1980-01-01 (zip's first day), not now: the same customers give the same bytes."""
    member = zipfile.ZipInfo(name)
    member.compress_type = zipfile.ZIP_DEFLATED
    member._compresslevel = 1  # the fastest; open(ZipInfo) takes no level (compress_level from 3.13)
    return member


class _Pieces:
    """A write-only stream (zipfile then writes data descriptors instead of seeking back)."""

    def __init__(self) -> None:
        self.pieces: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.pieces.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.pieces = b"".join(self.pieces), []
        return data


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def _parts(sheet_name: str) -> dict[str, str]:
    """Every part of the package but the sheet."""
    name = sheet_name.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    return {
        "[Content_Types].xml": (
            f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{sheet_type}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{sheet_type}.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{sheet_type}.styles+xml"/></Types>'),
        "_rels/.rels": (
            f'{_XML}<Relationships xmlns="{_PACKAGE_REL}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            f'<sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'{_XML}<Relationships xmlns="{_PACKAGE_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'),
        "xl/styles.xml": STYLES,
    }
