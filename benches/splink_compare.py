"""Side by side with Splink: links the same generated extracts to the same
roster with Splink (DuckDB backend), reads hedui's `matches` for the same
data, and prints precision, recall, F1 and wall time for both against
`truth/linkage.csv`. Run by benches/splink.sh, which makes the data and
times hedui.

Both tools are scored the same way: a row counts as linked when its status
is `matched` (hedui) or its best candidate's match probability is at least
0.9 (Splink: the shipped policies' match_accept). Precision = right links /
links; recall = right links / rows that rules.md lets be matched (id at most
one edit from the member's, see truth/linkage.csv `matchable`).

Splink gets the same light cleaning of its inputs that the data contract
asks of every engine (ids: whitespace, full-width digits, `x`, 15 → 18
digits; names: whitespace, middle-dot variants, case), but no domain rules:
it does not know that a valid id differing from a member's is another
person, nor traditional characters or pinyin.
"""

import argparse
import glob
import json
import os
import time

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

PERSON_COLUMNS = {
    "deposits": ("holder_name", "holder_id_number"),
    "vehicles": ("owner_name", "owner_id_number"),
    "properties": ("owner_name", "owner_id_number"),
    "businesses": ("person_name", "person_id_number"),
    "payroll": ("person_name", "person_id_number"),
    "deaths": ("name", "id_number"),
}
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
DOTS = "•・･‧∙⋅·.。"


def norm_id(raw):
    if raw is None:
        return None
    s = "".join(c for c in str(raw) if not c.isspace() and c not in "\u200b\ufeff")
    s = s.translate(str.maketrans("０１２３４５６７８９Ｘｘx", "0123456789XXX"))
    if len(s) == 15 and s.isdigit():
        body = s[:6] + "19" + s[6:]
        s = body + CHECK[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]
    return s or None


def norm_name(raw):
    if raw is None:
        return None
    s = "".join(c for c in str(raw) if not c.isspace())
    s = "".join("·" if c in DOTS else c for c in s).lower()
    return s or None


def birth_from_id(i):
    if i and len(i) == 18 and i[6:14].isdigit():
        y, m, d = i[6:10], i[10:12], i[12:14]
        if "1850" <= y <= "2100" and "01" <= m <= "12" and "01" <= d <= "31":
            return f"{y}-{m}-{d}"
    return None


def files(data, dataset):
    single = os.path.join(data, dataset + ".parquet")
    if os.path.exists(single):
        return [single]
    return sorted(glob.glob(os.path.join(data, dataset, "**", "*.parquet"), recursive=True))


def date_text(v):
    if v is None:
        return None
    s = str(v)[:10]
    if len(s) == 8 and s.isdigit():
        s = f"{s[:4]}-{s[4:6]}-{s[6:]}"
    return s


def extract_rows(data):
    rows = []
    for dataset, (name_col, id_col) in PERSON_COLUMNS.items():
        row_index = 0
        for f in files(data, dataset):
            t = pq.read_table(f).to_pylist()
            for r in t:
                i = norm_id(r.get(id_col))
                region = r.get("person_region_code")
                rows.append(
                    {
                        "unique_id": f"{dataset}:{row_index}",
                        "dataset": dataset,
                        "row_index": row_index,
                        "name": norm_name(r.get(name_col)),
                        "id_number": i,
                        "birth_date": date_text(r.get("person_birth_date")) or birth_from_id(i),
                        "county": str(region).strip()[:6] if region else (i[:6] if i else None),
                    }
                )
                row_index += 1
    return rows


def member_rows(data):
    households = {
        h["household_id"]: str(h["region_code"]).strip()
        for h in pq.read_table(files(data, "households")[0]).to_pylist()
    }
    rows = []
    for k, m in enumerate(pq.read_table(files(data, "members")[0]).to_pylist()):
        i = norm_id(m["id_number"])
        rows.append(
            {
                "unique_id": f"m:{k}",
                "dataset": "members",
                "row_index": k,
                "name": norm_name(m["name"]),
                "id_number": i,
                "birth_date": birth_from_id(i),
                "county": (households.get(m["household_id"]) or "")[:6] or None,
            }
        )
    return rows


def table(con, name, rows):
    arrow_rows = pa.Table.from_pylist(rows)  # noqa: F841 (read by DuckDB by name)
    con.execute(f"create or replace table {name} as select * from arrow_rows")


def run_splink(data, accept):
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    started = time.perf_counter()
    con = duckdb.connect()
    table(con, "extracts", extract_rows(data))
    members = member_rows(data)
    table(con, "members", members)
    id_of_member = {m["unique_id"]: m["id_number"] for m in members}
    prepared = time.perf_counter()

    db = DuckDBAPI(connection=con)
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.DamerauLevenshteinAtThresholds("id_number", [1, 2]),
            cl.JaroWinklerAtThresholds("name", [0.92, 0.8]),
            cl.ExactMatch("birth_date"),
            cl.ExactMatch("county"),
        ],
        # Equality keys whose blocks stay small however many people share a
        # county, as hedui's are (rules.md "Matching"): name + county or
        # birth date + county alone pair every extract row with thousands of
        # a county's members, and at 200,000 households in two counties
        # Splink's spill filled the disk (docs/PERFORMANCE.md).
        blocking_rules_to_generate_predictions=[
            block_on("id_number"),
            block_on("substr(id_number, 1, 14)"),
            block_on("substr(id_number, 7)"),
            block_on("name", "birth_date"),
            block_on("birth_date", "county", "substr(name, 1, 1)"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker([db.register("extracts"), db.register("members")], settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("id_number")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name", "birth_date"))
    # County + birth month pairs every row with hundreds of members in two
    # counties: EM samples 5M of those pairs (the id's full 14 leaves too few
    # non-matches to train the name's levels on).
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("substr(id_number, 1, 12)"), max_pairs=5e6
    )
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    con.execute(f"create or replace table pairs as select * from {predictions.physical_name}")
    best = con.execute(
        """
        select e_id, m_id, p from (
          select case when unique_id_l like 'm:%' then unique_id_r else unique_id_l end as e_id,
                 case when unique_id_l like 'm:%' then unique_id_l else unique_id_r end as m_id,
                 match_probability as p,
                 row_number() over (partition by case when unique_id_l like 'm:%' then unique_id_r else unique_id_l end
                                    order by match_probability desc, m_id) as k
          from pairs)
        where k = 1
        """
    ).fetchall()
    seconds = time.perf_counter() - prepared
    links = {e: id_of_member[m] for e, m, p in best if p >= accept}
    return links, seconds, prepared - started


def hedui_links(out):
    con = duckdb.connect()
    rows = con.execute(
        f"select dataset, row_index, id_number from read_parquet('{out}/matches.parquet') where status = 'matched'"
    ).fetchall()
    return {f"{d}:{r}": i for d, r, i in rows}


def truth(data):
    con = duckdb.connect()
    rows = con.execute(
        f"select dataset, row_index, id_number, matchable, decoy from read_csv('{data}/truth/linkage.csv', all_varchar=true)"
    ).fetchall()
    return {f"{d}:{r}": (i, m == "true", dec) for d, r, i, m, dec in rows}


def score(links, t):
    """Precision over every link; recall over the matchable rows, counting
    only links of matchable rows to their true member."""
    right = sum(1 for k, v in links.items() if t[k][0] and v == t[k][0])
    found = sum(1 for k, v in links.items() if t[k][1] and v == t[k][0])
    decoys = sum(1 for k in links if t[k][2])
    matchable = sum(1 for v in t.values() if v[1])
    p = right / len(links) if links else 0.0
    r = found / matchable if matchable else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1, len(links), decoys


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--data", required=True)
    a.add_argument("--hedui-out", required=True)
    a.add_argument("--hedui-seconds", type=float, required=True)
    a.add_argument("--accept", type=float, default=0.9)
    args = a.parse_args()
    t = truth(args.data)
    hedui = score(hedui_links(args.hedui_out), t)
    splink_links, splink_seconds, prep_seconds = run_splink(args.data, args.accept)
    splink = score(splink_links, t)
    print(f"rows: {len(t)}, matchable: {sum(1 for v in t.values() if v[1])}")
    print(f"{'tool':<8}{'precision':>10}{'recall':>9}{'F1':>8}{'linked':>9}{'decoys':>8}{'seconds':>9}")
    for name, (p, r, f1, n, d), s in [
        ("hedui", hedui, args.hedui_seconds),
        ("splink", splink, splink_seconds),
    ]:
        print(f"{name:<8}{p:>10.4f}{r:>9.4f}{f1:>8.4f}{n:>9}{d:>8}{s:>9.2f}")
    print(
        f"speed-up: {splink_seconds / args.hedui_seconds:.1f}x (hedui: the whole `hedui run`; Splink: "
        f"training and prediction only, not its {prep_seconds:.1f} s of input preparation in Python)"
    )
    print(json.dumps({"hedui": hedui, "splink": splink, "hedui_s": args.hedui_seconds, "splink_s": splink_seconds}))


if __name__ == "__main__":
    main()
