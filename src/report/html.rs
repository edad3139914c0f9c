//! `report.html`: one self-contained page a centre's head can read in a
//! browser or print — counts by action and township, two inline SVG bar
//! charts, the top reasons, data-quality problems per dataset, the run's
//! inputs and policy files with their versions.
//!
//! **Invariant:** no external reference of any kind (no scripts, fonts,
//! images or stylesheets from elsewhere); no timings, so the same run gives
//! the same bytes.

use super::labels;
use super::lists::SUMMARY;
use super::{list_strings, Cell, Frame, Lists, Sheet};
use crate::output::{OutputError, RunJson};
use crate::verdict::Action;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One colour per action (Action::ALL order), readable when printed in grey.
const COLOURS: [&str; 8] = [
    "#9bb7d4", "#c0392b", "#e67e22", "#27ae60", "#16a085", "#8e44ad", "#f1c40f", "#7f8c8d",
];
/// Townships drawn in the chart; the table lists them all.
const CHART_TOWNSHIPS: usize = 20;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn count(cell: &Cell) -> u64 {
    match cell {
        Cell::Count(Some(n)) => *n,
        _ => 0,
    }
}

pub(crate) fn render(
    lists: &Lists,
    sheets: &[Sheet],
    run_json: &RunJson,
) -> Result<String, OutputError> {
    let month = &run_json.run_month;
    let mut h = String::with_capacity(64 * 1024);
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>核对结果 {month}{scope}</title>
<style>
body{{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Zen Hei",sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}}
h1{{font-size:24px;margin-bottom:4px}} h2{{font-size:18px;border-bottom:2px solid #4a7ab5;padding-bottom:4px;margin-top:32px}}
.meta{{color:#666;font-size:13px}}
table{{border-collapse:collapse;font-size:13px;margin:8px 0}} th,td{{border:1px solid #ccc;padding:3px 8px}}
th{{background:#ddebf7;font-weight:600}} td.n{{text-align:right;font-variant-numeric:tabular-nums}}
tr.total td{{font-weight:600;background:#f4f4f4}}
.cards{{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}}
.card{{border:1px solid #ccc;border-radius:6px;padding:8px 14px;min-width:96px}}
.card b{{display:block;font-size:22px}} .card span{{font-size:12px;color:#555}}
.note{{font-size:12px;color:#666}} code{{font-size:12px}}
svg text{{font-size:12px;font-family:inherit}}
</style></head><body>
<h1>社会救助家庭经济状况核对结果 · {month}{scope}</h1>
<p class="meta">核对月份 {month} · 引擎 hedui {version} · 数据目录 <code>{data}</code></p>
<p class="note">本页为核对建议汇总，每条建议须经入户核实后确认。名单见 report.xlsx 及同名 CSV 文件。</p>
"#,
        // A county's own lists (`hedui report --county`) say whose they are.
        scope = lists
            .county
            .map_or(String::new(), |c| format!(" · 区县 {}", esc(c))),
        version = esc(&run_json.engine.version),
        data = esc(&run_json.data_dir),
    );
    actions(&mut h, lists)?;
    townships(&mut h, sheets);
    reasons(&mut h, lists)?;
    data_quality(&mut h, lists)?;
    inputs(&mut h, run_json);
    policies(&mut h, run_json);
    h.push_str("</body></html>\n");
    Ok(h)
}

/// Households per action, findings and data-quality problems, counted from
/// the tables (not run.json's counts), so a county's page counts its own.
fn actions(h: &mut String, lists: &Lists) -> Result<(), OutputError> {
    let action = Frame::new("decisions", lists.decisions).str("action")?;
    let mut counts: Vec<(Action, u64)> = Action::ALL.iter().map(|a| (*a, 0)).collect();
    for a in action.iter().flatten() {
        if let Some(slot) = counts.iter_mut().find(|(x, _)| x.code() == a) {
            slot.1 += 1;
        }
    }
    let quality = Frame::new("data_quality counts", lists.data_quality).count("count")?;
    let problems: u64 = (0..lists.data_quality.height())
        .filter_map(|i| quality.get(i))
        .sum();
    let total: u64 = counts.iter().map(|c| c.1).sum();
    h.push_str("<h2>按建议分类</h2>\n<div class=\"cards\">");
    let _ = write!(
        h,
        "<div class=\"card\"><b>{total}</b><span>核对户数</span></div>"
    );
    for (a, n) in &counts {
        let _ = write!(
            h,
            "<div class=\"card\"><b>{n}</b><span>{}</span></div>",
            a.label_zh()
        );
    }
    let _ = writeln!(
        h,
        "<div class=\"card\"><b>{}</b><span>核对发现</span></div><div class=\"card\"><b>{problems}</b><span>数据质量问题</span></div></div>",
        lists.findings.height(),
    );
    // The chart leaves out 继续保障, which would dwarf the lists to act on.
    let bars: Vec<(String, u64, &str)> = counts
        .iter()
        .enumerate()
        .filter(|(_, (a, _))| *a != Action::Keep)
        .map(|(k, (a, n))| (a.label_zh().to_string(), *n, COLOURS[k]))
        .collect();
    h.push_str("<p class=\"note\">需处理的户数（不含继续保障）：</p>\n");
    bar_chart(h, &bars);
    Ok(())
}

/// A horizontal bar chart, one bar per row.
fn bar_chart(h: &mut String, bars: &[(String, u64, &str)]) {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let (label_w, bar_w, row_h) = (150.0, 560.0, 24.0);
    let height = row_h * bars.len() as f64 + 8.0;
    let _ = write!(
        h,
        "<svg width=\"{}\" height=\"{height}\" role=\"img\">",
        label_w + bar_w + 60.0
    );
    for (k, (label, n, colour)) in bars.iter().enumerate() {
        let y = row_h * k as f64 + 4.0;
        let w = bar_w * *n as f64 / max as f64;
        let _ = write!(
            h,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{}\">{n}</text>",
            label_w - 8.0,
            y + 15.0,
            esc(label),
            row_h - 6.0,
            label_w + w + 6.0,
            y + 15.0
        );
    }
    h.push_str("</svg>\n");
}

fn townships(h: &mut String, sheets: &[Sheet]) {
    let Some(summary) = sheets.iter().find(|s| s.name == SUMMARY) else {
        return;
    };
    let rows: Vec<Vec<Cell>> = (0..summary.len).map(|i| summary.row(i)).collect();
    h.push_str("<h2>按乡镇（街道）</h2>\n");
    // Stacked bars of the actions to take (columns 3.. of 汇总 minus 继续保障).
    let n_actions = Action::ALL.len();
    let mut ranked: Vec<&Vec<Cell>> = rows.iter().take(rows.len().saturating_sub(1)).collect();
    let to_act = |r: &Vec<Cell>| -> u64 { (3..2 + n_actions).map(|k| count(&r[k])).sum() };
    ranked.retain(|r| to_act(r) > 0);
    ranked.sort_by_key(|r| std::cmp::Reverse(to_act(r)));
    ranked.truncate(CHART_TOWNSHIPS);
    let max = ranked.iter().map(|r| to_act(r)).max().unwrap_or(0).max(1);
    let (label_w, bar_w, row_h) = (110.0, 600.0, 22.0);
    let legend_h = 26.0;
    let height = legend_h + row_h * ranked.len() as f64 + 8.0;
    let _ = write!(
        h,
        "<p class=\"note\">需处理户数最多的乡镇（最多{CHART_TOWNSHIPS}个）：</p><svg width=\"{}\" height=\"{height}\" role=\"img\">",
        label_w + bar_w + 60.0
    );
    let mut x = label_w;
    for (k, a) in Action::ALL.iter().enumerate().skip(1) {
        let _ = write!(
            h,
            "<rect x=\"{x}\" y=\"4\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"15\">{}</text>",
            COLOURS[k],
            x + 16.0,
            a.label_zh()
        );
        x += 16.0 + 13.0 * a.label_zh().chars().count() as f64 + 14.0;
    }
    for (k, r) in ranked.iter().enumerate() {
        let y = legend_h + row_h * k as f64;
        let Cell::Text(name) = &r[0] else { continue };
        let _ = write!(
            h,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_w - 8.0,
            y + 14.0,
            esc(name)
        );
        let mut x = label_w;
        for a in 1..n_actions {
            let n = count(&r[2 + a]);
            let w = bar_w * n as f64 / max as f64;
            if n > 0 {
                let _ = write!(
                    h,
                    "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{}\"><title>{} {n}</title></rect>",
                    row_h - 6.0,
                    COLOURS[a],
                    Action::ALL[a].label_zh()
                );
            }
            x += w;
        }
        let _ = write!(
            h,
            "<text x=\"{:.1}\" y=\"{}\">{}</text>",
            x + 6.0,
            y + 14.0,
            to_act(r)
        );
    }
    h.push_str("</svg>\n<table><tr>");
    for head in &summary.headers {
        let _ = write!(h, "<th>{}</th>", esc(head));
    }
    h.push_str("</tr>\n");
    for (i, r) in rows.iter().enumerate() {
        let class = if i + 1 == rows.len() {
            " class=\"total\""
        } else {
            ""
        };
        let _ = write!(h, "<tr{class}>");
        for c in r {
            match c {
                Cell::Text(s) => {
                    let _ = write!(h, "<td>{}</td>", esc(s));
                }
                other => {
                    let _ = write!(h, "<td class=\"n\">{}</td>", count(other));
                }
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

fn reasons(h: &mut String, lists: &Lists) -> Result<(), OutputError> {
    let d = Frame::new("decisions", lists.decisions);
    let (action, reasons) = (d.str("action")?, d.list("reasons")?);
    let mut households: BTreeMap<String, u64> = BTreeMap::new();
    for i in 0..lists.decisions.height() {
        if action.get(i) == Some(Action::Keep.code()) {
            continue;
        }
        for r in list_strings(reasons, i) {
            *households.entry(r).or_default() += 1;
        }
    }
    let mut findings: BTreeMap<&str, u64> = BTreeMap::new();
    for r in Frame::new("findings", lists.findings)
        .str("rule_id")?
        .iter()
        .flatten()
    {
        *findings.entry(r).or_default() += 1;
    }
    let mut top: Vec<(&String, &u64)> = households.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    h.push_str("<h2>主要原因</h2>\n<table><tr><th>原因</th><th>规则</th><th>涉及户数</th><th>核对发现条数</th></tr>\n");
    for (rule, n) in top.iter().take(10) {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td><code>{}</code></td><td class=\"n\">{n}</td><td class=\"n\">{}</td></tr>",
            esc(labels::rule(rule)),
            esc(rule),
            findings.get(rule.as_str()).unwrap_or(&0)
        );
    }
    if top.is_empty() {
        h.push_str("<tr><td colspan=\"4\">本月无需处理的家庭</td></tr>\n");
    }
    h.push_str("</table>\n");
    Ok(())
}

fn data_quality(h: &mut String, lists: &Lists) -> Result<(), OutputError> {
    let f = Frame::new("data_quality counts", lists.data_quality);
    let (dataset, problem, count) = (f.str("dataset")?, f.str("problem")?, f.count("count")?);
    let mut counts: BTreeMap<&str, BTreeMap<&str, u64>> = BTreeMap::new();
    for (i, (d, p)) in dataset.iter().zip(problem.iter()).enumerate() {
        *counts
            .entry(d.unwrap_or(""))
            .or_default()
            .entry(p.unwrap_or(""))
            .or_default() += count.get(i).unwrap_or(0);
    }
    h.push_str(
        "<h2>数据质量问题</h2>\n<table><tr><th>数据集</th><th>问题</th><th>条数</th></tr>\n",
    );
    for (d, problems) in &counts {
        let total: u64 = problems.values().sum();
        let mut sorted: Vec<_> = problems.iter().collect();
        sorted.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (k, (p, n)) in sorted.iter().enumerate() {
            h.push_str("<tr>");
            if k == 0 {
                let _ = write!(
                    h,
                    "<td rowspan=\"{}\">{}<br><code>{}</code>（共{total}条）</td>",
                    sorted.len(),
                    esc(labels::dataset(d)),
                    esc(d)
                );
            }
            let _ = writeln!(
                h,
                "<td>{}</td><td class=\"n\">{n}</td></tr>",
                esc(labels::problem(p))
            );
        }
    }
    if counts.is_empty() {
        h.push_str("<tr><td colspan=\"3\">未发现数据质量问题</td></tr>\n");
    }
    h.push_str("</table>\n<p class=\"note\">逐条明细见 data_quality.parquet。</p>\n");
    Ok(())
}

/// The first 12 hex digits of a BLAKE3 hash, as the page shows versions.
fn short_hash(blake3: &str) -> &str {
    blake3.get(..12).unwrap_or("")
}

fn inputs(h: &mut String, run: &RunJson) {
    h.push_str("<h2>本次核对的数据</h2>\n<table><tr><th>数据集</th><th>是否提供</th><th>行数</th><th>文件（BLAKE3 前12位）</th></tr>\n");
    // Contract order: the roster first, then the extracts.
    for name in crate::schema::Dataset::ALL.map(|d| d.name()) {
        let Some(v) = run.inputs.get(name) else {
            continue;
        };
        let files: Vec<String> = v
            .files
            .iter()
            .flatten()
            .map(|f| {
                format!(
                    "<code>{}</code> {}",
                    esc(&f.path),
                    esc(short_hash(&f.blake3))
                )
            })
            .collect();
        let _ =
            writeln!(
            h,
            "<tr><td>{}（<code>{}</code>）</td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(labels::dataset(name)),
            esc(name),
            if v.supplied { "是" } else { "<b>未提供</b>" },
            v.rows.map_or(String::new(), |n| n.to_string()),
            files.join("<br>")
        );
    }
    h.push_str("</table>\n");
    let not_checked = &run.rules.not_checked;
    if !not_checked.is_empty() {
        h.push_str("<p><b>未核对的规则</b>（数据未提供，不视为通过）：");
        let items: Vec<String> = not_checked
            .iter()
            .map(|r| {
                format!(
                    "{}（<code>{}</code>）",
                    esc(labels::rule(&r.rule)),
                    esc(&r.rule)
                )
            })
            .collect();
        h.push_str(&items.join("、"));
        h.push_str("</p>\n");
    }
}

fn policies(h: &mut String, run: &RunJson) {
    h.push_str("<h2>政策文件与版本</h2>\n<table><tr><th>文件</th><th>适用地区</th><th>生效期</th><th>BLAKE3 前12位</th></tr>\n");
    for f in &run.policies.files {
        let periods: Vec<String> = f.periods.iter().map(|d| d.to_string()).collect();
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            esc(&f.file),
            esc(&f.name),
            esc(&periods.join("、")),
            esc(short_hash(&f.blake3))
        );
    }
    h.push_str("</table>\n<p class=\"note\">本月使用的政策时段及依据：</p>\n<table><tr><th>文件</th><th>起始</th><th>依据</th></tr>\n");
    for p in &run.policies.periods_used {
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            esc(&p.file),
            esc(&p.from),
            esc(p.reference.as_deref().unwrap_or(""))
        );
    }
    h.push_str("</table>\n");
}
