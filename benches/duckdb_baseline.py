"""The analyst's baseline: what a verification centre would write in SQL
instead of hedui, run by DuckDB on the same data directory.

    benches/.venv/bin/python benches/duckdb_baseline.py DATA_DIR MONTH OUT_DIR [POLICY_DIR]

It does the work `hedui run` does minus fuzzy linking and reports: id numbers
normalised in SQL (spaces, full-width digits, lower-case x, 15 → 18 digits
with the GB 11643 check digit), exact-id joins of every extract to the
roster, the asset rules (vehicle, residences, commercial property, business
capital, financial assets), deaths, the verified wage from payroll and the
income test, with each household's policy parameters. It writes one result
row per household (flags, per-capita income) to OUT_DIR/households.parquet
and prints a JSON line with counts.

Policy parameters come from the same TOML files (longest region-code prefix,
cumulative periods), resolved in Python for the roster's distinct region
codes: the table an analyst would keep by hand.
"""

import datetime as dt
import json
import os
import sys
import tomllib

import duckdb

PARAM_KEYS = [
    "urban_standard", "rural_standard", "tekun_standard", "minimum_wage",
    "employment_deduction_rate", "disabled_employment_deduction_rate",
    "exclude_basic_pension", "rigid_expense_deduction", "financial_assets_months",
    "financial_assets_months_severe", "max_residences",
    "residence_area_per_capita_exempt_below", "commercial_property_allowed",
    "vehicle_exempt_types", "vehicle_value_exempt_below", "business_capital_limit",
    "payroll_lookback_months",
]


def load_policies(policy_dir, month_start):
    """prefix → {key: value} as in force on month_start (periods cumulative)."""
    out = {}
    for name in os.listdir(policy_dir):
        if not name.endswith(".toml"):
            continue
        with open(os.path.join(policy_dir, name), "rb") as f:
            doc = tomllib.load(f)
        values = {}
        for period in sorted(doc.get("period", []), key=lambda p: str(p["from"])):
            start = period["from"]
            if isinstance(start, str):
                start = dt.date.fromisoformat(start)
            if start <= month_start:
                values.update({k: v for k, v in period.items() if k in PARAM_KEYS})
        out[name[: -len(".toml")]] = values
    return out


def resolve(policies, region):
    row = {}
    for key in PARAM_KEYS:
        for n in range(len(region), 1, -1):
            v = policies.get(region[:n], {}).get(key)
            if v is not None:
                row[key] = v
                break
    return row


def check_digit_sql(body):
    """GB 11643 check digit of a 17-digit SQL string expression."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    terms = " + ".join(
        f"{w} * (ascii(substr({body}, {i + 1}, 1)) - 48)" for i, w in enumerate(weights)
    )
    return f"substr('10X98765432', (({terms}) % 11) + 1, 1)"


def main():
    data, month, out = sys.argv[1], sys.argv[2], sys.argv[3]
    policy_dir = sys.argv[4] if len(sys.argv) > 4 else "policies"
    year, mon = map(int, month.split("-"))
    month_start = dt.date(year, mon, 1)
    month_end = (month_start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    os.makedirs(out, exist_ok=True)

    con = duckdb.connect()
    con.execute(f"SET threads = {os.cpu_count()}")

    def src(name):
        path = os.path.join(data, name)
        if os.path.isdir(path):
            return f"read_parquet('{path}/**/*.parquet', union_by_name = true, hive_partitioning = false)"
        return f"read_parquet('{path}.parquet')"

    # Id normalisation, as an analyst would write it.
    con.execute(r"""
        CREATE MACRO clean_id(s) AS upper(regexp_replace(
            translate(s, '０１２３４５６７８９Ｘｘ', '0123456789XX'), '[\s\x{3000}]', '', 'g'))
    """)
    con.execute(f"""
        CREATE MACRO legacy_to_18(t) AS CASE
            WHEN length(t) = 15 AND regexp_full_match(t, '[0-9]{{15}}')
            THEN substr(t, 1, 6) || '19' || substr(t, 7) || {check_digit_sql("(substr(t, 1, 6) || '19' || substr(t, 7))")}
            ELSE t END
    """)
    # Fast path first: most ids are already clean, and `translate` is slow.
    con.execute("""CREATE MACRO nid(s) AS CASE WHEN regexp_full_match(s, '[0-9]{17}[0-9X]') THEN s
                   ELSE legacy_to_18(clean_id(s)) END""")

    # Parameters per region code of the roster.
    policies = load_policies(policy_dir, month_start)
    regions = [r[0] for r in con.execute(
        f"SELECT DISTINCT region_code FROM {src('households')} WHERE region_code IS NOT NULL").fetchall()]
    rows = []
    for region in regions:
        p = resolve(policies, region)
        if len(p) < len(PARAM_KEYS):
            continue
        rows.append((region,) + tuple(
            (list(p[k]) if isinstance(p[k], list) else str(p[k]) if not isinstance(p[k], bool) else p[k])
            for k in PARAM_KEYS))
    con.execute("""CREATE TABLE params (region_code VARCHAR, urban_standard DECIMAL(18,2), rural_standard DECIMAL(18,2),
        tekun_standard DECIMAL(18,2), minimum_wage DECIMAL(18,2), employment_deduction_rate DECIMAL(9,4),
        disabled_employment_deduction_rate DECIMAL(9,4), exclude_basic_pension BOOLEAN, rigid_expense_deduction BOOLEAN,
        financial_assets_months INTEGER, financial_assets_months_severe INTEGER, max_residences INTEGER,
        residence_area_per_capita_exempt_below DECIMAL(18,4), commercial_property_allowed BOOLEAN,
        vehicle_exempt_types VARCHAR[], vehicle_value_exempt_below DECIMAL(18,2), business_capital_limit DECIMAL(18,2),
        payroll_lookback_months INTEGER)""")
    con.executemany("INSERT INTO params VALUES (" + ", ".join(["?"] * (len(PARAM_KEYS) + 1)) + ")", rows)

    me = f"DATE '{month_end.isoformat()}'"
    ms = f"DATE '{month_start.isoformat()}'"
    script = f"""
    CREATE TABLE hh AS
      SELECT h.household_id, h.region_code, h.area, h.program, h.status, p.*
             EXCLUDE (region_code),
             CASE WHEN h.program = 'tekun' THEN p.tekun_standard
                  WHEN h.area = 'urban' THEN p.urban_standard ELSE p.rural_standard END AS standard
      FROM {src('households')} h JOIN params p USING (region_code);

    CREATE TABLE mem AS
      SELECT household_id, nid(id_number) AS nid, disability_grade, severe_illness,
             CAST(declared_wage AS DECIMAL(18,2)) AS declared_wage,
             CAST(declared_business AS DECIMAL(18,2)) + CAST(declared_property_income AS DECIMAL(18,2))
               + CAST(declared_transfer AS DECIMAL(18,2)) AS other_income,
             CAST(declared_basic_pension AS DECIMAL(18,2)) AS pension,
             CAST(declared_medical_expense AS DECIMAL(18,2)) + CAST(declared_education_expense AS DECIMAL(18,2)) AS rigid
      FROM {src('members')};

    -- The exact-id joins: only rows whose normalised id is a member's survive.
    CREATE TABLE dead AS
      SELECT DISTINCT m.nid FROM {src('deaths')} d JOIN mem m ON nid(d.id_number) = m.nid
      WHERE CAST(d.date_of_death AS DATE) <= {me};
    CREATE TABLE living AS
      SELECT m.*, (m.disability_grade IN (1, 2) OR m.severe_illness) AS severe
      FROM mem m ANTI JOIN dead USING (nid);

    CREATE TABLE pay AS
      SELECT l.nid, l.household_id, date_trunc('month', CAST(p.pay_month AS DATE)) AS pm,
             sum(CAST(p.gross_monthly_pay AS DECIMAL(18,2))) AS amount
      FROM {src('payroll')} p JOIN living l ON nid(p.person_id_number) = l.nid
      JOIN hh ON hh.household_id = l.household_id
      WHERE CAST(p.pay_month AS DATE) BETWEEN {ms} - to_months(hh.payroll_lookback_months - 1) AND {me}
      GROUP BY ALL;

    CREATE TABLE income AS
      WITH verified AS (SELECT nid, household_id, avg(amount) AS wage FROM pay GROUP BY ALL),
      per_member AS (
        SELECT l.household_id, l.severe, l.rigid, hh.*,
               greatest(l.declared_wage, coalesce(v.wage, 0)) AS wage,
               l.declared_wage,
               CASE WHEN l.disability_grade IS NOT NULL THEN hh.disabled_employment_deduction_rate
                    ELSE hh.employment_deduction_rate END * hh.minimum_wage AS deduction,
               l.other_income + CASE WHEN hh.exclude_basic_pension THEN 0 ELSE l.pension END AS other
        FROM living l JOIN hh USING (household_id) LEFT JOIN verified v USING (nid, household_id))
      SELECT household_id, any_value(standard) AS standard, count(*) AS living, bool_or(severe) AS any_severe,
             greatest(0, sum(wage - least(wage, deduction) + other)
               - CASE WHEN any_value(rigid_expense_deduction) THEN sum(rigid) ELSE 0 END) AS income,
             greatest(0, sum(declared_wage - least(declared_wage, deduction) + other)
               - CASE WHEN any_value(rigid_expense_deduction) THEN sum(rigid) ELSE 0 END) AS declared_income
      FROM per_member GROUP BY household_id;

    CREATE TABLE vehicle_hit AS
      SELECT DISTINCT l.household_id FROM {src('vehicles')} v JOIN living l ON nid(v.owner_id_number) = l.nid
      JOIN hh USING (household_id)
      WHERE v.status = 'normal' AND NOT list_contains(hh.vehicle_exempt_types, v.vehicle_type)
        AND (v.assessed_value IS NULL OR CAST(v.assessed_value AS DECIMAL(18,2)) >= hh.vehicle_value_exempt_below);

    CREATE TABLE props AS
      SELECT l.household_id, p.unit_no, p.usage, CAST(p.area_m2 AS DECIMAL(18,4)) AS area,
             CAST(p.share AS DECIMAL(18,4)) AS share
      FROM {src('properties')} p JOIN living l ON nid(p.owner_id_number) = l.nid
      WHERE p.status = 'current' AND p.share > 0;
    CREATE TABLE property_hit AS
      WITH units AS (SELECT household_id, unit_no, any_value(area) AS area, least(1, sum(share)) AS share
                     FROM props WHERE usage = 'residential' GROUP BY ALL)
      SELECT u.household_id FROM units u JOIN hh USING (household_id) JOIN income i USING (household_id)
      GROUP BY u.household_id
      HAVING count(*) > any_value(hh.max_residences)
         AND sum(u.area * u.share) >= any_value(hh.residence_area_per_capita_exempt_below) * any_value(i.living);
    CREATE TABLE commercial_hit AS
      SELECT DISTINCT p.household_id FROM props p JOIN hh USING (household_id)
      WHERE p.usage IN ('commercial', 'office', 'industrial') AND NOT hh.commercial_property_allowed;

    CREATE TABLE business AS
      SELECT l.household_id, b.entity_type, b.role, CAST(b.registered_capital AS DECIMAL(18,2)) AS capital,
             hh.business_capital_limit AS lim
      FROM {src('businesses')} b JOIN living l ON nid(b.person_id_number) = l.nid JOIN hh USING (household_id)
      WHERE b.status = 'active';
    CREATE TABLE business_hit AS
      SELECT DISTINCT household_id FROM business
      WHERE role IN ('legal_rep', 'shareholder') AND entity_type IN ('company', 'sole_proprietorship', 'partnership')
        AND capital > lim;
    CREATE TABLE business_review AS
      SELECT DISTINCT household_id FROM business ANTI JOIN business_hit USING (household_id);

    CREATE TABLE fin AS
      WITH snap AS (
        SELECT l.household_id, d.institution, d.account_no,
               arg_max(TRY_CAST(replace(d.balance, ',', '') AS DECIMAL(18,2)), TRY_CAST(d.as_of AS DATE)) AS balance
        FROM {src('deposits')} d JOIN living l ON nid(d.holder_id_number) = l.nid
        WHERE TRY_CAST(d.as_of AS DATE) <= {me}
        GROUP BY ALL)
      SELECT household_id, sum(greatest(balance, 0)) AS assets FROM snap GROUP BY household_id;

    COPY (
      SELECT hh.household_id, hh.program, hh.status,
             i.income / i.living AS per_capita_income, i.standard,
             coalesce(f.assets, 0) / i.living AS financial_assets_per_capita,
             i.income > i.standard * i.living AS income_fail,
             i.declared_income > i.standard * i.living AS declared_income_fail,
             v.household_id IS NOT NULL AS vehicle,
             p.household_id IS NOT NULL AS residences,
             c.household_id IS NOT NULL AS commercial,
             b.household_id IS NOT NULL AS business_capital,
             r.household_id IS NOT NULL AS business_review,
             coalesce(f.assets, 0) > i.standard * i.living
               * CASE WHEN i.any_severe THEN hh.financial_assets_months_severe ELSE hh.financial_assets_months END AS fin_assets
      FROM hh JOIN income i USING (household_id)
      LEFT JOIN vehicle_hit v USING (household_id) LEFT JOIN property_hit p USING (household_id)
      LEFT JOIN commercial_hit c USING (household_id) LEFT JOIN business_hit b USING (household_id)
      LEFT JOIN business_review r USING (household_id) LEFT JOIN fin f USING (household_id)
      ORDER BY hh.household_id
    ) TO '{out}/households.parquet' (FORMAT parquet);
    """
    for statement in script.split(";\n"):
        if statement.strip():
            con.execute(statement)
    counts = con.execute(f"""
        SELECT count(*), sum(income_fail::INT), sum(vehicle::INT), sum(residences::INT), sum(commercial::INT),
               sum(business_capital::INT), sum(fin_assets::INT)
        FROM read_parquet('{out}/households.parquet')""").fetchone()
    print(json.dumps(dict(zip(
        ["households", "income_fail", "vehicle", "residences", "commercial", "business_capital", "fin_assets"],
        [int(c or 0) for c in counts]))))


if __name__ == "__main__":
    main()
