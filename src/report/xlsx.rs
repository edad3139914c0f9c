//! The workbook, `report.xlsx`: one sheet per list with a bold, frozen
//! header row, an autofilter, column widths fitted to the header and the
//! first rows, money as numbers shown `#,##0.00`, dates as Excel dates.
//!
//! Written here, as SpreadsheetML in a zip (the `zip` crate), not with a
//! workbook library: a province's workbook has ~16M cells, and
//! rust_xlsxwriter spent ~7 s of CPU on them at 1M households: per cell an
//! owned string, an `Arc`, a B-tree insert and `fmt` calls, every row
//! through an uncompressed temp file (900 MB of XML), then a one-thread zip
//! at the very end (docs/PERFORMANCE.md, "Third pass"). The lists need
//! only text, numbers, dates, four cell styles, frozen headers, filters and
//! widths, which is what this module writes.
//!
//! Each list's worksheets are compressed by the task that fills them, into
//! an unnamed temp file holding a one-entry zip; [`save`] copies those
//! compressed entries into the workbook in sheet order. So sheets compress
//! in parallel, and the workbook is the same bytes whatever the thread
//! count (fixed entry times; the document's creation time is the run month).
//!
//! A list longer than Excel's 1,048,575 data rows continues on a sheet named
//! `名称(2)`, `名称(3)`, …

use super::csv::{cell_text, display_width};
use super::{Cell, Sheet, WORKBOOK};
use crate::output::{OutputError, Staging};
use chrono::NaiveDate;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{Seek, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

const MAX_DATA_ROWS: usize = 1_048_575;
const MAX_WIDTH: usize = 60;
/// Rows measured for column widths: enough to see every kind of value.
const WIDTH_SAMPLE_ROWS: usize = 10_000;
/// Excel's limit on a cell's text, in UTF-16 units.
const MAX_CELL_UTF16: usize = 32_767;

/// Cell styles: their index in `styles.xml`'s `cellXfs`.
const HEADER: u8 = 1;
/// Money, score and date cells: their `s` attribute (styles 2, 3, 4).
const MONEY_STYLE: &str = r#" s="2""#;
const SCORE_STYLE: &str = r#" s="3""#;
const DATE_STYLE: &str = r#" s="4""#;

fn err(reason: impl ToString) -> OutputError {
    OutputError::Io {
        path: WORKBOOK.into(),
        reason: reason.to_string(),
    }
}

/// Level 1: at 1M households level 6 costs seconds more for a file a
/// tenth smaller. Entry times fixed, so the bytes do not depend on the clock.
fn entry_options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1))
        .last_modified_time(zip::DateTime::default())
}

/// The widest display width per column over the header and the first rows.
fn widths(sheet: &Sheet) -> Vec<usize> {
    let mut widths: Vec<usize> = sheet.headers.iter().map(|h| display_width(h)).collect();
    for i in 0..sheet.len.min(WIDTH_SAMPLE_ROWS) {
        for (k, cell) in sheet.row(i).iter().enumerate() {
            widths[k] = widths[k].max(display_width(&cell_text(cell)));
        }
    }
    widths
}

/// A column's letters: 0 → `A`, 25 → `Z`, 26 → `AA`.
fn column_name(mut col: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).expect("ASCII letters")
}

/// Excel's stored width for a width in characters (Calibri 11: 7 pixels a
/// digit, 5 pixels padding), as Excel itself writes it.
fn stored_width(chars: usize) -> f64 {
    ((chars as f64 * 7.0 + 5.0) / 7.0 * 256.0).floor() / 256.0
}

/// Excel's serial day of `d`: days since 1899-12-30, which is right from
/// 1900-03-01 on (Excel counts a 29 February 1900 that never was); before
/// that, days since 1899-12-31. `None` before 1900 or after 9999, which
/// Excel cannot show as dates.
fn excel_serial(d: NaiveDate) -> Option<i64> {
    // Constants: the workbook has a date in most rows of its longest lists.
    const fn ymd(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("a valid date")
    }
    const LAST: NaiveDate = ymd(9999, 12, 31);
    const LEAP_DAY_AFTER: NaiveDate = ymd(1900, 3, 1);
    const FIRST: NaiveDate = ymd(1900, 1, 1);
    if d > LAST {
        None
    } else if d >= LEAP_DAY_AFTER {
        Some((d - ymd(1899, 12, 30)).num_days())
    } else if d >= FIRST {
        Some((d - ymd(1899, 12, 31)).num_days())
    } else {
        None
    }
}

/// Appends `d` as its shortest exact decimal text (`d.normalize()`'s
/// `Display`), from its integer mantissa: the workbook has millions of
/// amounts, and the formatter was a visible part of writing them.
fn push_exact(out: &mut String, d: rust_decimal::Decimal) {
    let d = d.normalize();
    if d.is_zero() {
        let _ = write!(out, "{d}");
        return;
    }
    if d.is_sign_negative() {
        out.push('-');
    }
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(d.mantissa().unsigned_abs());
    let scale = d.scale() as usize;
    if scale == 0 {
        out.push_str(digits);
    } else if digits.len() > scale {
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        out.push_str(whole);
        out.push('.');
        out.push_str(fraction);
    } else {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', scale - digits.len()));
        out.push_str(digits);
    }
}

/// Appends `s` as XML text. Besides `&`, `<` and `>`, control characters
/// (not allowed in XML) and U+FFFE/U+FFFF are written as Excel's `_xHHHH_`,
/// and a literal `_xHHHH_` in the text has its underscore escaped
/// (`_x005F_`), so Excel shows the text as it was.
fn push_xml_text(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    // Nearly every cell needs no escape: one pass over the bytes says so
    // (every character escaped below is ASCII or starts with 0xEF).
    if !bytes
        .iter()
        .any(|&b| b < 0x20 || matches!(b, b'&' | b'<' | b'>' | b'_' | 0xEF))
    {
        out.push_str(s);
        return;
    }
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escaped: Option<&str> = match c {
            '&' => Some("&amp;"),
            '<' => Some("&lt;"),
            '>' => Some("&gt;"),
            '\t' | '\n' => None,
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {
                out.push_str(&s[start..i]);
                let _ = write!(out, "_x{:04X}_", c as u32);
                start = i + c.len_utf8();
                continue;
            }
            '_' if is_excel_escape(&bytes[i..]) => Some("_x005F_"),
            _ => None,
        };
        if let Some(e) = escaped {
            out.push_str(&s[start..i]);
            out.push_str(e);
            start = i + c.len_utf8();
        }
    }
    out.push_str(&s[start..]);
}

/// Whether `b` starts with `_xHHHH_` (four hex digits).
fn is_excel_escape(b: &[u8]) -> bool {
    b.len() >= 7 && b[1] == b'x' && b[2..6].iter().all(u8::is_ascii_hexdigit) && b[6] == b'_'
}

/// `s` cut to Excel's limit of 32,767 UTF-16 units per cell, ending in `…`
/// when cut (the CSV and Parquet outputs have the whole text).
fn within_cell_limit(s: &str) -> std::borrow::Cow<'_, str> {
    // A char is at most 2 UTF-16 units, so short text needs no count.
    if s.len() <= MAX_CELL_UTF16 || s.encode_utf16().count() <= MAX_CELL_UTF16 {
        return s.into();
    }
    let mut units = 0;
    let mut end = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > MAX_CELL_UTF16 - 1 {
            break;
        }
        end = i + c.len_utf8();
    }
    format!("{}…", &s[..end]).into()
}

/// One worksheet being written: its XML goes straight into the compressor
/// of its own one-entry zip, in an unnamed temp file.
struct Part {
    name: String,
    rows: usize,
    zip: ZipWriter<File>,
}

/// A worksheet written and compressed, waiting for [`save`].
pub(crate) struct Worksheet {
    name: String,
    /// Rows including the header.
    rows: usize,
    columns: usize,
    zip: File,
}

impl Part {
    fn new(
        staging: &Staging,
        name: String,
        rows: usize,
        headers: &[&str],
        widths: &[usize],
        columns: &[String],
    ) -> Result<Part, OutputError> {
        let file = tempfile::tempfile_in(staging.path("")).map_err(err)?;
        let mut zip = ZipWriter::new(file);
        zip.start_file("sheet.xml", entry_options()).map_err(err)?;
        let mut xml = String::new();
        let last = format!("{}{}", columns[headers.len() - 1], rows + 1);
        xml.push_str(concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            "\n",
            r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" "#,
            r#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#
        ));
        let _ = write!(
            xml,
            concat!(
                r#"<dimension ref="A1:{last}"/><sheetViews><sheetView workbookViewId="0">"#,
                r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#,
                r#"<selection pane="bottomLeft"/></sheetView></sheetViews>"#,
                r#"<sheetFormatPr defaultRowHeight="15"/><cols>"#
            ),
            last = last
        );
        for (k, w) in widths.iter().enumerate() {
            let w = stored_width((*w).clamp(6, MAX_WIDTH) + 2);
            let _ = write!(
                xml,
                r#"<col min="{c}" max="{c}" width="{w}" customWidth="1"/>"#,
                c = k + 1
            );
        }
        xml.push_str(r#"</cols><sheetData><row r="1">"#);
        for (k, h) in headers.iter().enumerate() {
            let _ = write!(
                xml,
                r#"<c r="{}1" s="{HEADER}" t="inlineStr"><is><t>"#,
                columns[k]
            );
            push_xml_text(&mut xml, h);
            xml.push_str("</t></is></c>");
        }
        xml.push_str("</row>");
        zip.write_all(xml.as_bytes()).map_err(err)?;
        Ok(Part { name, rows, zip })
    }

    fn finish(mut self, columns: &[String]) -> Result<Worksheet, OutputError> {
        let last = format!("{}{}", columns[columns.len() - 1], self.rows + 1);
        let end = format!(
            concat!(
                r#"</sheetData><autoFilter ref="A1:{last}"/>"#,
                r#"<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>"#,
                "</worksheet>"
            ),
            last = last
        );
        self.zip.write_all(end.as_bytes()).map_err(err)?;
        let zip = self.zip.finish().map_err(err)?;
        Ok(Worksheet {
            name: self.name,
            rows: self.rows + 1,
            columns: columns.len(),
            zip,
        })
    }
}

/// How a list's rows read as worksheet XML: its column letters. Shared by
/// the threads that render rows while [`List`] writes rendered ones.
#[derive(Clone)]
pub(crate) struct Layout {
    columns: Vec<String>,
}

impl Layout {
    /// Appends row `i` of the list (0-based, header not counted) as XML.
    /// Numbers are written with itoa rather than `write!`: the formatting
    /// machinery was a twentieth of a province run's CPU time.
    pub fn render(&self, xml: &mut String, i: usize, cells: &[Cell]) {
        let mut row_number = itoa::Buffer::new();
        let r = row_number.format(i % MAX_DATA_ROWS + 2);
        xml.push_str(r#"<row r=""#);
        xml.push_str(r);
        xml.push_str(r#"">"#);
        let mut number = itoa::Buffer::new();
        // A cell's reference is optional (ECMA-376 Part 1, 18.3.1.4), and
        // readers (Excel, LibreOffice, calamine) put a cell without one
        // after the cell before it; only a cell after an empty one, which is
        // not written, needs it. The workbook's XML is a sixth smaller, and
        // so is its deflating (docs/PERFORMANCE.md).
        let mut after_gap = false;
        for (k, cell) in cells.iter().enumerate() {
            let reference = after_gap.then(|| (self.columns[k].as_str(), r));
            after_gap = false;
            match cell {
                Cell::Text(s) if !s.is_empty() => {
                    let s = within_cell_limit(s);
                    let edge = |c: char| matches!(c, ' ' | '\t' | '\n');
                    open_cell(xml, reference, r#" t="inlineStr""#);
                    xml.push_str(if s.starts_with(edge) || s.ends_with(edge) {
                        r#"<is><t xml:space="preserve">"#
                    } else {
                        "<is><t>"
                    });
                    push_xml_text(xml, &s);
                    xml.push_str("</t></is></c>");
                }
                // The exact amount; Excel reads it into its f64.
                Cell::Money(Some(d)) => {
                    open_cell(xml, reference, MONEY_STYLE);
                    xml.push_str("<v>");
                    push_exact(xml, *d);
                    xml.push_str("</v></c>");
                }
                Cell::Score(Some(x)) if x.is_finite() => {
                    open_cell(xml, reference, SCORE_STYLE);
                    let _ = write!(xml, "<v>{x}</v></c>");
                }
                Cell::Count(Some(n)) => {
                    open_cell(xml, reference, "");
                    push_value(xml, number.format(*n));
                }
                Cell::Date(Some(d)) => match excel_serial(*d) {
                    Some(serial) => {
                        open_cell(xml, reference, DATE_STYLE);
                        push_value(xml, number.format(serial));
                    }
                    // Outside Excel's dates: as text, which Excel shows as written.
                    None => {
                        open_cell(xml, reference, r#" t="inlineStr""#);
                        let _ = write!(xml, "<is><t>{}</t></is></c>", d.format("%Y-%m-%d"));
                    }
                },
                // Written as no cell at all.
                Cell::Text(_)
                | Cell::Money(None)
                | Cell::Score(_)
                | Cell::Count(None)
                | Cell::Date(None) => after_gap = true,
            }
        }
        xml.push_str("</row>");
    }
}

/// Opens a `<c>` element; `reference` (column letters, row number) only
/// for a cell after an empty one.
fn open_cell(xml: &mut String, reference: Option<(&str, &str)>, attributes: &str) {
    xml.push_str("<c");
    if let Some((column, row)) = reference {
        xml.push_str(r#" r=""#);
        xml.push_str(column);
        xml.push_str(row);
        xml.push('"');
    }
    xml.push_str(attributes);
    xml.push('>');
}

fn push_value(xml: &mut String, value: &str) {
    xml.push_str("<v>");
    xml.push_str(value);
    xml.push_str("</v></c>");
}

/// One list's worksheets being filled with rendered rows, in order.
pub(crate) struct List {
    parts: Vec<Part>,
    columns: Vec<String>,
    len: usize,
}

impl List {
    /// Starts the worksheets of `sheet` (one per 1,048,575 rows), each with
    /// its header, frozen pane, filter and column widths.
    pub fn new(staging: &Staging, sheet: &Sheet) -> Result<(List, Layout), OutputError> {
        let widths = widths(sheet);
        let columns: Vec<String> = (0..sheet.headers.len()).map(column_name).collect();
        let count = sheet.len.div_ceil(MAX_DATA_ROWS).max(1);
        let parts = (0..count)
            .map(|part| {
                let name = match part {
                    0 => sheet.name.to_string(),
                    _ => format!("{}({})", sheet.name, part + 1),
                };
                let from = part * MAX_DATA_ROWS;
                let rows = (from + MAX_DATA_ROWS).min(sheet.len) - from;
                Part::new(staging, name, rows, &sheet.headers, &widths, &columns)
            })
            .collect::<Result<_, _>>()?;
        let layout = Layout {
            columns: columns.clone(),
        };
        Ok((
            List {
                parts,
                columns,
                len: sheet.len,
            },
            layout,
        ))
    }

    /// The list's rows in runs of at most `rows`, none crossing from one
    /// worksheet to the next: a run's XML goes to one worksheet.
    pub fn runs(&self, rows: usize) -> Vec<std::ops::Range<usize>> {
        let mut runs = Vec::new();
        for part in 0..self.parts.len() {
            let end = ((part + 1) * MAX_DATA_ROWS).min(self.len);
            let mut from = part * MAX_DATA_ROWS;
            while from < end {
                runs.push(from..(from + rows).min(end));
                from = (from + rows).min(end);
            }
        }
        runs
    }

    /// Appends the XML of a run of rows starting at list row `first` (as
    /// [`Layout::render`] wrote it); runs come in order.
    pub fn append(&mut self, first: usize, xml: &str) -> Result<(), OutputError> {
        debug_assert!(first < self.len);
        self.parts[first / MAX_DATA_ROWS]
            .zip
            .write_all(xml.as_bytes())
            .map_err(err)
    }

    pub fn finish(self) -> Result<Vec<Worksheet>, OutputError> {
        let columns = self.columns;
        self.parts.into_iter().map(|p| p.finish(&columns)).collect()
    }
}

/// `'name'` as a formula's sheet reference.
fn quoted_sheet(name: &str) -> String {
    format!("'{}'", name.replace('\'', "''"))
}

fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_xml_text(&mut out, s);
    out
}

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const CONTENT: &str = "application/vnd.openxmlformats-officedocument";

/// The parts of the package other than the worksheets.
fn package_parts(sheets: &[Worksheet], created: &str) -> Vec<(&'static str, String)> {
    let mut types = format!(
        concat!(
            "{head}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">",
            "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>",
            "<Default Extension=\"xml\" ContentType=\"application/xml\"/>",
            "<Override PartName=\"/docProps/app.xml\" ContentType=\"{c}.extended-properties+xml\"/>",
            "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>",
            "<Override PartName=\"/xl/styles.xml\" ContentType=\"{c}.spreadsheetml.styles+xml\"/>",
            "<Override PartName=\"/xl/workbook.xml\" ContentType=\"{c}.spreadsheetml.sheet.main+xml\"/>"
        ),
        head = XML_HEAD,
        c = CONTENT
    );
    let mut workbook_rels = format!(
        "{XML_HEAD}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    );
    let mut workbook = format!(
        concat!(
            "{head}<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"{rel}\">",
            "<bookViews><workbookView xWindow=\"240\" yWindow=\"15\" windowWidth=\"16095\" windowHeight=\"9660\"/></bookViews>",
            "<sheets>"
        ),
        head = XML_HEAD,
        rel = REL
    );
    let mut names = String::new();
    let mut titles = String::new();
    for (i, ws) in sheets.iter().enumerate() {
        let n = i + 1;
        let _ = write!(
            types,
            "<Override PartName=\"/xl/worksheets/sheet{n}.xml\" ContentType=\"{CONTENT}.spreadsheetml.worksheet+xml\"/>"
        );
        let _ = write!(
            workbook_rels,
            "<Relationship Id=\"rId{n}\" Type=\"{REL}/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>"
        );
        let name = xml_text(&ws.name);
        let _ = write!(
            workbook,
            "<sheet name=\"{name}\" sheetId=\"{n}\" r:id=\"rId{n}\"/>"
        );
        let _ = write!(
            names,
            "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"{i}\" hidden=\"1\">{}!$A$1:${}${}</definedName>",
            xml_text(&quoted_sheet(&ws.name)),
            column_name(ws.columns - 1),
            ws.rows
        );
        let _ = write!(titles, "<vt:lpstr>{name}</vt:lpstr>");
    }
    types.push_str("</Types>");
    let styles_id = sheets.len() + 1;
    let _ = write!(
        workbook_rels,
        "<Relationship Id=\"rId{styles_id}\" Type=\"{REL}/styles\" Target=\"styles.xml\"/></Relationships>"
    );
    workbook.push_str("</sheets>");
    if !names.is_empty() {
        let _ = write!(workbook, "<definedNames>{names}</definedNames>");
    }
    workbook.push_str("</workbook>");
    let root_rels = format!(
        concat!(
            "{head}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
            "<Relationship Id=\"rId1\" Type=\"{rel}/officeDocument\" Target=\"xl/workbook.xml\"/>",
            "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>",
            "<Relationship Id=\"rId3\" Type=\"{rel}/extended-properties\" Target=\"docProps/app.xml\"/>",
            "</Relationships>"
        ),
        head = XML_HEAD,
        rel = REL
    );
    let core = format!(
        concat!(
            "{head}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" ",
            "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" ",
            "xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">",
            "<dc:title>核对结果</dc:title><dc:creator>hedui</dc:creator>",
            "<dcterms:created xsi:type=\"dcterms:W3CDTF\">{created}</dcterms:created>",
            "<dcterms:modified xsi:type=\"dcterms:W3CDTF\">{created}</dcterms:modified>",
            "</cp:coreProperties>"
        ),
        head = XML_HEAD,
        created = created
    );
    let app = format!(
        concat!(
            "{head}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" ",
            "xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">",
            "<Application>hedui</Application><HeadingPairs><vt:vector size=\"2\" baseType=\"variant\">",
            "<vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>{n}</vt:i4></vt:variant>",
            "</vt:vector></HeadingPairs><TitlesOfParts><vt:vector size=\"{n}\" baseType=\"lpstr\">{titles}</vt:vector>",
            "</TitlesOfParts></Properties>"
        ),
        head = XML_HEAD,
        n = sheets.len(),
        titles = titles
    );
    vec![
        ("[Content_Types].xml", types),
        ("_rels/.rels", root_rels),
        ("docProps/app.xml", app),
        ("docProps/core.xml", core),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", workbook_rels),
        ("xl/styles.xml", STYLES.to_string()),
    ]
}

/// Default, header (bold, light blue, thin bottom border), money, score and
/// date: the `cellXfs` indices [`HEADER`] and then 2, 3, 4 (`MONEY_STYLE`, `SCORE_STYLE`, `DATE_STYLE`).
const STYLES: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
    "<numFmts count=\"3\"><numFmt numFmtId=\"164\" formatCode=\"#,##0.00\"/>",
    "<numFmt numFmtId=\"165\" formatCode=\"0.00\"/><numFmt numFmtId=\"166\" formatCode=\"yyyy-mm-dd\"/></numFmts>",
    "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>",
    "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font></fonts>",
    "<fills count=\"3\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill>",
    "<fill><patternFill patternType=\"solid\"><fgColor rgb=\"FFDDEBF7\"/><bgColor indexed=\"64\"/></patternFill></fill></fills>",
    "<borders count=\"2\"><border><left/><right/><top/><bottom/><diagonal/></border>",
    "<border><left/><right/><top/><bottom style=\"thin\"><color auto=\"1\"/></bottom><diagonal/></border></borders>",
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>",
    "<cellXfs count=\"5\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>",
    "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"2\" borderId=\"1\" xfId=\"0\" applyFont=\"1\" applyFill=\"1\" applyBorder=\"1\"/>",
    "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>",
    "<xf numFmtId=\"165\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>",
    "<xf numFmtId=\"166\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/></cellXfs>",
    "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>",
    "<dxfs count=\"0\"/><tableStyles count=\"0\" defaultTableStyle=\"TableStyleMedium9\" defaultPivotStyle=\"PivotStyleLight16\"/>",
    "</styleSheet>"
);

/// Writes `report.xlsx` with `sheets` in order; the document's creation
/// time is the first day of `run_month` (so the bytes do not depend on the clock).
pub(crate) fn save(
    staging: &Staging,
    run_month: &str,
    sheets: Vec<Worksheet>,
) -> Result<(), OutputError> {
    let first = run_month
        .split_once('-')
        .and_then(|(y, m)| NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1))
        .unwrap_or(NaiveDate::from_ymd_opt(2000, 1, 1).expect("a valid date"));
    let created = first.format("%Y-%m-%dT00:00:00Z").to_string();
    let path = staging.path(WORKBOOK);
    let io = |e: &dyn std::fmt::Display| OutputError::Io {
        path: path.clone(),
        reason: e.to_string(),
    };
    let file = File::create(&path).map_err(|e| io(&e))?;
    let mut zip = ZipWriter::new(std::io::BufWriter::with_capacity(1 << 16, file));
    for (name, xml) in package_parts(&sheets, &created) {
        zip.start_file(name, entry_options()).map_err(|e| io(&e))?;
        zip.write_all(xml.as_bytes()).map_err(|e| io(&e))?;
    }
    for (i, mut ws) in sheets.into_iter().enumerate() {
        ws.zip.rewind().map_err(|e| io(&e))?;
        let mut one = ZipArchive::new(ws.zip).map_err(|e| io(&e))?;
        let entry = one.by_index_raw(0).map_err(|e| io(&e))?;
        zip.raw_copy_file_rename(entry, format!("xl/worksheets/sheet{}.xml", i + 1))
            .map_err(|e| io(&e))?;
    }
    let mut out = zip.finish().map_err(|e| io(&e))?;
    out.flush().map_err(|e| io(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text that XML or Excel treat specially, amounts, dates on both
    /// sides of 1900 and empty cells, written and read back with calamine.
    #[test]
    fn a_list_reads_back_as_written() {
        use calamine::{open_workbook, Data, Reader, Xlsx};
        use rust_decimal::Decimal;
        use std::borrow::Cow;
        let texts = [
            "a & <b> \"c\"",
            " 前后空格 ",
            "line\nbreak",
            "_x0041_",
            "bell\u{7}",
            "",
        ];
        let sheet = Sheet {
            name: "清退建议",
            headers: vec!["文本", "金额", "日期", "人数", "置信度"],
            len: texts.len(),
            row: Box::new(move |i| {
                vec![
                    Cell::Text(Cow::Borrowed(texts[i])),
                    Cell::Money((i == 0).then(|| Decimal::new(123_450, 2))),
                    Cell::Date(NaiveDate::from_ymd_opt([2024, 1899][i % 2], 12, 31)),
                    Cell::Count(Some(i as u64)),
                    Cell::Score((i == 0).then_some(0.875)),
                ]
            }),
        };
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        let staging = Staging::new(&out).unwrap();
        let (mut list, layout) = List::new(&staging, &sheet).unwrap();
        for run in list.runs(2) {
            let mut xml = String::new();
            for i in run.clone() {
                layout.render(&mut xml, i, &sheet.row(i));
            }
            list.append(run.start, &xml).unwrap();
        }
        let worksheets = list.finish().unwrap();
        save(&staging, "2024-10", worksheets).unwrap();
        staging.commit().unwrap();

        let mut wb: Xlsx<_> = open_workbook(out.join(WORKBOOK)).unwrap();
        assert_eq!(wb.sheet_names(), ["清退建议"]);
        let range = wb.worksheet_range("清退建议").unwrap();
        let rows: Vec<&[Data]> = range.rows().collect();
        assert_eq!(rows[0][0], Data::String("文本".into()));
        let read: Vec<String> = rows[1..].iter().map(|r| r[0].to_string()).collect();
        assert_eq!(read[..4], texts[..4]);
        assert_eq!(rows[1][1], Data::Float(1234.5));
        assert_eq!(rows[2][1], Data::Empty);
        match &rows[1][2] {
            Data::DateTime(d) => assert_eq!(d.as_f64(), 45657.0),
            other => panic!("not a date: {other:?}"),
        }
        assert_eq!(rows[2][2], Data::String("1899-12-31".into()));
        assert_eq!(rows[3][3], Data::Float(2.0));
        assert_eq!(rows[1][4], Data::Float(0.875));
        assert_eq!(rows[2][4], Data::Empty);
        // Cells after empty ones stay in their columns (their references
        // are written; the others' are not).
        assert_eq!(rows[6][0], Data::Empty);
        assert_eq!(rows[6][2], Data::String("1899-12-31".into()));
        assert_eq!(rows[6][3], Data::Float(5.0));
        // No temp file is left beside the outputs.
        let files: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
        assert_eq!(files.len(), 1);
    }

    /// A list longer than a worksheet holds continues on `名称(2)`; no run of
    /// rows spans the two (its XML goes to one worksheet).
    #[test]
    fn runs_of_rows_stop_at_the_worksheet_limit() {
        let sheet = Sheet {
            name: "公示名单",
            headers: vec!["户主姓名"],
            len: MAX_DATA_ROWS + 5,
            row: Box::new(|_| vec![Cell::text("王芳")]),
        };
        let tmp = tempfile::tempdir().unwrap();
        let staging = Staging::new(&tmp.path().join("run")).unwrap();
        let (list, _) = List::new(&staging, &sheet).unwrap();
        let runs = list.runs(1 << 19);
        assert_eq!(
            runs,
            [
                0..1 << 19,
                1 << 19..MAX_DATA_ROWS,
                MAX_DATA_ROWS..MAX_DATA_ROWS + 5
            ]
        );
        let names: Vec<String> = list.finish().unwrap().into_iter().map(|w| w.name).collect();
        assert_eq!(names, ["公示名单", "公示名单(2)"]);
    }

    #[test]
    fn columns_are_named_like_excel() {
        let names: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702]
            .into_iter()
            .map(column_name)
            .collect();
        assert_eq!(names, ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }

    #[test]
    fn text_is_escaped_for_xml_and_excel() {
        assert_eq!(xml_text("王芳 & <b>"), "王芳 &amp; &lt;b&gt;");
        assert_eq!(xml_text("a\u{1}b\tc\r"), "a_x0001_b\tc_x000D_");
        assert_eq!(xml_text("_x0041_ _x12_"), "_x005F_x0041_ _x12_");
        assert_eq!(xml_text("王芳 1.00 元"), "王芳 1.00 元");
        for text in [
            "0",
            "-0",
            "0.00",
            "1.50",
            "-1.50",
            "0.05",
            "-0.0005",
            "1200",
            "1.2E3",
            "79228162514264337593543950335",
            "-0.0000000000000000000000000001",
        ] {
            let d: rust_decimal::Decimal = match text.parse() {
                Ok(d) => d,
                Err(_) => rust_decimal::Decimal::from_scientific(text).expect("a decimal"),
            };
            let mut out = String::new();
            push_exact(&mut out, d);
            assert_eq!(out, d.normalize().to_string(), "{text}");
        }
        assert_eq!(xml_text("王\u{FFFF}芳&"), "王_xFFFF_芳&amp;");
        assert_eq!(xml_text("\u{ffff}"), "_xFFFF_");
    }

    #[test]
    fn dates_are_excel_serial_days_with_its_1900_leap_day() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(excel_serial(d(2024, 12, 31)), Some(45657));
        assert_eq!(excel_serial(d(1900, 3, 1)), Some(61));
        assert_eq!(excel_serial(d(1900, 2, 28)), Some(59));
        assert_eq!(excel_serial(d(1900, 1, 1)), Some(1));
        assert_eq!(excel_serial(d(1899, 12, 31)), None);
        assert_eq!(excel_serial(d(9999, 12, 31)), Some(2_958_465));
        assert_eq!(excel_serial(d(10000, 1, 1)), None);
    }

    #[test]
    fn widths_are_stored_as_excel_stores_them() {
        assert_eq!(stored_width(18), 18.7109375);
        assert_eq!(stored_width(62), 62.7109375);
    }

    #[test]
    fn text_longer_than_a_cell_holds_is_cut_with_an_ellipsis() {
        let long = "王".repeat(40_000);
        let cut = within_cell_limit(&long);
        assert_eq!(cut.encode_utf16().count(), MAX_CELL_UTF16);
        assert!(cut.ends_with('…'));
        // Astral characters are two UTF-16 units each.
        let astral = "𠀀".repeat(20_000);
        assert!(within_cell_limit(&astral).encode_utf16().count() <= MAX_CELL_UTF16);
        assert_eq!(within_cell_limit("短"), "短");
    }
}
