//! 公示名单: the list a village or community posts (民发〔2021〕57号 requires
//! 低保 and 特困 recipients to be publicised; proposed entries are posted
//! for comment before approval).
//!
//! Who is listed (docs/DECISIONS.md "公示"): households that will be paid —
//! recipients (城市低保, 农村低保, 特困供养) whose action is anything but
//! 清退, marked 在保 — and candidates proposed for 新增 or 单人保新增, marked
//! 拟纳入. Proposed exits and rejected candidates are not published: they
//! are recommendations a case worker has yet to confirm.
//!
//! What is shown, and only that: township and village codes, the head's
//! name, the head's id masked (first 6 and last 4 digits), household size,
//! program and monthly amount. Never other members' names, health,
//! disability, income, assets or reasons.
//! **Invariant:** no cell here comes from a reason, a finding or a member
//! other than the head.

use super::labels;
use super::lists::Decisions;
use super::{Cell, Sheet, PUBLICITY};
use crate::output::OutputError;
use crate::schema::{Area, Program};
use crate::text::mask_id;
use crate::verdict::Action;
use std::sync::Arc;

pub(crate) const HEADERS: [&str; 8] = [
    "乡镇（街道）代码",
    "村（社区）代码",
    "户主姓名",
    "户主身份证号",
    "家庭人口",
    "救助类别",
    "月保障金额（元）",
    "公示类别",
];

fn is_entry(action: &str) -> bool {
    action == Action::Entry.code() || action == Action::SinglePersonEntry.code()
}

pub(crate) fn sheet(d: Arc<Decisions<'_>>) -> Result<Sheet<'_>, OutputError> {
    let rows = d.rows_with(|_| true);
    let rows: Vec<u32> = rows
        .into_iter()
        .filter(|&i| {
            let i = i as usize;
            let action = d.action.get(i).unwrap_or("");
            let recipient = d
                .program
                .get(i)
                .and_then(|p| p.parse::<Program>().ok())
                .is_some_and(Program::is_recipient);
            is_entry(action) || (recipient && action != Action::Exit.code())
        })
        .collect();
    Ok(Sheet {
        name: PUBLICITY,
        headers: HEADERS.to_vec(),
        len: rows.len(),
        row: Box::new(move |r| {
            let i = rows[r] as usize;
            let region = d.region_code(i);
            let action = d.action.get(i).unwrap_or("");
            let entry = is_entry(action);
            let size = match d.living_members.get(i) {
                Some(n) if n > 0 => n,
                _ => d.household_size.get(i).unwrap_or(0),
            };
            // A candidate enters 低保 of its area; the label says so, not "申请".
            let program = if entry {
                let area = d.area.get(i).and_then(|a| a.parse::<Area>().ok());
                let dibao = match area {
                    Some(Area::Urban) => Program::UrbanDibao.label_zh(),
                    Some(Area::Rural) => Program::RuralDibao.label_zh(),
                    None => labels::program(d.program.get(i).unwrap_or("")),
                };
                if action == Action::SinglePersonEntry.code() {
                    format!("{dibao}（单人保）")
                } else {
                    dibao.to_string()
                }
            } else {
                labels::program(d.program.get(i).unwrap_or("")).to_string()
            };
            vec![
                Cell::text(labels::township(region)),
                Cell::text(if region.len() == 12 { region } else { "" }),
                Cell::opt(d.head_name.get(i)),
                Cell::text(mask_id(d.head_id_number.get(i).unwrap_or(""))),
                Cell::Count(Some(size)),
                Cell::text(program),
                // The amount of a proposed entry is set at approval (审批), not here.
                Cell::Money(if entry {
                    None
                } else {
                    d.monthly_benefit.get(i)
                }),
                Cell::text(if entry { "拟纳入" } else { "在保" }),
            ]
        }),
    })
}
