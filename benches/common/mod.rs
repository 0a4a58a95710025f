//! What the benchmarks share: a deterministic generator of speeches from the example
//! transcript's paragraphs, with the organisations' names and the indicators they report.

/// The organisations speeches are given to: Chongqing's districts and counties.
pub(crate) const ORGS: &[&str] = &[
    "万州区",
    "涪陵区",
    "渝中区",
    "大渡口区",
    "江北区",
    "沙坪坝区",
    "九龙坡区",
    "南岸区",
    "北碚区",
    "渝北区",
    "巴南区",
    "长寿区",
    "江津区",
    "合川区",
    "永川区",
    "南川区",
    "綦江区",
    "大足区",
    "璧山区",
    "铜梁区",
    "潼南区",
    "荣昌区",
    "开州区",
    "梁平区",
    "武隆区",
    "城口县",
    "丰都县",
    "垫江县",
    "忠县",
    "云阳县",
    "奉节县",
    "巫山县",
    "巫溪县",
    "石柱县",
    "秀山县",
    "酉阳县",
    "彭水县",
    "两江新区",
    "重庆高新区",
    "万盛经开区",
];

const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘";
const GIVEN: &str = "红洪斌英伟军华明强平芳燕玲桂兰春秀建国志勇";
pub(crate) const KEYS: &[&str] =
    &["gdp", "industrial_value_added", "fixed_asset_investment", "retail_sales"];

/// A small deterministic generator (no dependency for a benchmark's dice).
pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    pub(crate) fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

pub(crate) fn paragraphs() -> Vec<String> {
    let text = include_str!("../../tests/fixtures/chongqing-2024-10-21.txt");
    text.lines().map(str::trim).filter(|l| l.chars().count() > 60).map(str::to_string).collect()
}

pub(crate) fn body(rng: &mut Lcg, paras: &[String]) -> String {
    let mut out = String::new();
    let mut section = 0;
    while out.chars().count() < 1500 {
        if out.is_empty() || rng.next(3) == 0 {
            section += 1;
            let numeral = ["一", "二", "三", "四", "五", "六", "七", "八"][(section - 1) % 8];
            out.push_str(&format!("## {numeral}、第{section}部分\n\n"));
        }
        out.push_str(&paras[rng.next(paras.len())]);
        out.push_str("\n\n");
    }
    out
}

pub(crate) fn speaker(rng: &mut Lcg) -> String {
    let s: Vec<char> = SURNAMES.chars().collect();
    let g: Vec<char> = GIVEN.chars().collect();
    format!("{}{}{}", s[rng.next(s.len())], g[rng.next(g.len())], g[rng.next(g.len())])
}
