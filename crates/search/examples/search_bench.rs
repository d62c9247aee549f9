//! Indexing and query benchmark.
//!
//! `cargo run --release -p zhifa-search --example search_bench -- [N] [DIR]`
//!
//! Generates N (default 1,000,000) realistic, already-redacted publications from a fixed
//! seed, indexes them into DIR (default a fresh directory under the system temp dir, removed
//! afterwards) with a 200 MB indexing heap, reports docs/s and the index size, then runs
//! 2,000 queries of 1–3 enforcement words, half of them with a filter, and prints the
//! latency percentiles (each query: top 10, total count, snippets).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use jiff::civil::Date;
use zhifa_search::{DocType, Publication, Query, SearchIndex};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const COUNTIES: &[&str] = &[
    "正定县",
    "长安区",
    "桥西区",
    "新华区",
    "裕华区",
    "藁城区",
    "鹿泉区",
    "栾城区",
    "井陉县",
    "行唐县",
    "灵寿县",
    "高邑县",
    "深泽县",
    "赞皇县",
    "无极县",
    "平山县",
    "元氏县",
    "赵县",
    "辛集市",
    "晋州市",
    "新乐市",
    "路北区",
    "路南区",
    "丰润区",
];
const DEPARTMENTS: &[(&str, &str)] = &[
    ("市场监督管理局", "市场监管"),
    ("交通运输局", "交通运输"),
    ("生态环境分局", "生态环境"),
    ("应急管理局", "应急管理"),
    ("消防救援大队", "消防救援"),
    ("卫生健康局", "卫生健康"),
    ("城市管理综合行政执法局", "城市管理"),
    ("农业农村局", "农业农村"),
    ("自然资源和规划局", "自然资源"),
    ("文化广电和旅游局", "文化旅游"),
];
const KINDS: &[&str] = &["行政处罚", "行政处罚", "行政处罚", "行政处罚", "行政许可", "行政检查", "行政强制"];
const TRADE_WORDS: &[&str] = &[
    "恒信",
    "华隆",
    "鑫源",
    "永盛",
    "德润",
    "金泰",
    "瑞丰",
    "宏达",
    "安康",
    "天诚",
    "新世纪",
    "博远",
    "嘉禾",
    "正阳",
    "众合",
];
const INDUSTRIES: &[&str] = &[
    "食品",
    "商贸",
    "餐饮管理",
    "物流",
    "运输",
    "化工",
    "建材",
    "医药",
    "汽车维修",
    "超市",
    "农资",
    "酒店",
    "网络科技",
    "印刷",
];
const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "欧阳", "司马"];

/// Fact sentences per domain; `{}` gets a goods or place word.
const FACTS: &[&[&str]] = &[
    &[
        "经营超过保质期的食品{}",
        "生产经营不符合食品安全标准的{}",
        "未取得食品经营许可从事食品销售活动",
        "销售的{}经抽样检验不合格",
        "发布虚假广告，对商品的性能作虚假宣传",
        "未明码标价，存在价格欺诈行为",
        "销售未经检验的计量器具",
        "使用不合格的特种设备",
    ],
    &[
        "未取得道路运输经营许可，擅自从事道路客运经营",
        "货运车辆超限超载运输{}",
        "驾驶员未按规定携带从业资格证",
        "擅自改装营运车辆",
        "未按规定对车辆进行综合性能检测",
    ],
    &[
        "超标排放大气污染物",
        "未批先建，擅自开工建设{}项目",
        "危险废物未按规定贮存",
        "污水处理设施未正常运行，超标排放水污染物",
        "露天焚烧{}产生烟尘污染",
    ],
    &[
        "未按规定开展安全生产教育培训",
        "未建立事故隐患排查治理制度",
        "特种作业人员未持证上岗",
        "危险化学品储存不符合规定",
    ],
    &["占用、堵塞、封闭疏散通道、安全出口", "消防设施、器材未保持完好有效", "埋压、圈占消防栓", "擅自停用消防设施"],
    &["医疗机构使用非卫生技术人员从事诊疗活动", "公共场所未取得卫生许可证", "未按规定处置医疗废物"],
    &["擅自占用城市道路摆摊经营", "未经批准设置户外广告{}", "随意倾倒建筑垃圾", "违法建设{}"],
    &["销售假劣农药{}", "经营未经登记的肥料产品", "使用禁用兽药"],
    &["未经批准非法占用土地建设{}", "擅自改变土地用途", "无证开采矿产资源"],
    &["未经许可经营营业性演出", "网吧接纳未成年人", "旅行社未与旅游者签订旅游合同"],
];
const GOODS: &[&str] = &[
    "牛奶",
    "熟食",
    "散装白酒",
    "蔬菜",
    "猪肉",
    "月饼",
    "儿童玩具",
    "化肥",
    "砂石",
    "钢材",
    "仓库",
    "厂房",
    "秸秆",
    "垃圾",
    "农药",
    "面粉",
    "食用油",
    "饮料",
    "药品",
    "保健品",
];
const TAILS: &[&str] = &[
    "经调查，上述事实有现场检查笔录、询问笔录、抽样检验报告等证据证实。",
    "当事人在陈述申辩中未提出新的事实和理由。",
    "当事人积极配合调查，主动消除违法行为危害后果，依法从轻处罚。",
    "当事人系初次违法且危害后果轻微并及时改正。",
    "以上事实有照片、视频资料、证人证言为证。",
    "当事人对违法事实无异议，放弃陈述申辩和听证权利。",
];
const LAWS: &[&str] = &[
    "《中华人民共和国食品安全法》第一百二十四条第一款第（一）项",
    "《中华人民共和国道路运输条例》第六十三条",
    "《中华人民共和国大气污染防治法》第九十九条第（二）项",
    "《中华人民共和国安全生产法》第九十七条",
    "《中华人民共和国消防法》第六十条第一款第（三）项",
    "《中华人民共和国行政处罚法》第三十二条",
    "《中华人民共和国广告法》第五十五条",
    "《中华人民共和国价格法》第四十条",
];

fn publication(rng: &mut Rng, i: usize) -> Publication {
    let county = rng.below(COUNTIES.len());
    let dept = rng.below(DEPARTMENTS.len());
    let (dept_name, domain) = DEPARTMENTS[dept];
    let agency_index = county * DEPARTMENTS.len() + dept;
    let party = if rng.below(3) == 0 {
        format!("{}某某", rng.pick(SURNAMES))
    } else {
        format!("{}{}{}有限公司", COUNTIES[county], rng.pick(TRADE_WORDS), rng.pick(INDUSTRIES))
    };
    let mut text = format!("当事人{party}");
    for _ in 0..1 + rng.below(3) {
        let fact = rng.pick(FACTS[dept]).replace("{}", rng.pick(GOODS));
        text.push('，');
        text.push_str(&fact);
    }
    text.push('。');
    text.push_str(rng.pick(TAILS));
    text.push_str("上述行为违反了");
    text.push_str(rng.pick(LAWS));
    text.push_str("的规定，依据");
    text.push_str(rng.pick(LAWS));
    let amount_yuan = [0, 500, 2000, 5000, 10_000, 30_000, 50_000, 100_000, 200_000][rng.below(9)];
    text.push_str(&format!("，决定给予警告并处罚款{amount_yuan}元。"));
    let year = 2020 + rng.below(7) as i16;
    let date = Date::new(year, 1 + rng.below(12) as i8, 1 + rng.below(28) as i8).unwrap_or(Date::MIN);
    Publication {
        id: format!("{}{year}{i:07}", 130100 + county),
        agency: format!("11{:06}MB{:07}", 130100 + county, agency_index),
        agency_name: format!("{}{dept_name}", COUNTIES[county]),
        domain: domain.to_owned(),
        kind: rng.pick(KINDS).to_owned(),
        date,
        amount_fen: amount_yuan * 100,
        title: format!("{}罚决字〔{year}〕{}号", &COUNTIES[county][..3], i % 5000 + 1),
        party,
        text,
    }
}

const QUERY_WORDS: &[&str] = &[
    "食品安全",
    "保质期",
    "食品",
    "虚假宣传",
    "价格欺诈",
    "超载",
    "道路运输",
    "客运",
    "排放",
    "污染物",
    "危险废物",
    "消防",
    "疏散通道",
    "安全出口",
    "消防栓",
    "安全生产",
    "危险化学品",
    "医疗废物",
    "卫生许可证",
    "建筑垃圾",
    "户外广告",
    "农药",
    "兽药",
    "土地",
    "矿产资源",
    "演出",
    "未成年人",
    "旅游合同",
    "牛奶",
    "猪肉",
    "月饼",
    "罚款",
    "警告",
    "从轻处罚",
    "初次违法",
    "听证",
    "有限公司",
    "商贸",
    "物流",
    "改装",
    "从业资格证",
    "抽样检验",
    "不合格",
    "无证",
    "未经许可",
];

fn dir_size(p: &std::path::Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| rd.flatten().filter_map(|e| e.metadata().ok()).filter(|m| m.is_file()).map(|m| m.len()).sum())
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map(|a| a.replace('_', "").parse()).transpose()?.unwrap_or(1_000_000);
    let (dir, remove) = match args.next() {
        Some(d) => (PathBuf::from(d), false),
        None => (std::env::temp_dir().join(format!("zhifa-search-bench-{}", std::process::id())), true),
    };
    std::fs::create_dir_all(&dir)?;
    println!("index dir: {}", dir.display());

    let index = SearchIndex::open_with(&dir, 200 * 1024 * 1024)?;
    let mut rng = Rng(0x5eed_2026_0001_cafe);
    let t0 = Instant::now();
    let mut text_bytes = 0usize;
    for i in 0..n {
        let p = publication(&mut rng, i);
        text_bytes += p.text.len() + p.title.len() + p.party.len();
        index.insert_new(&p)?;
        if (i + 1) % 200_000 == 0 {
            println!("  {} docs, {:.0} docs/s", i + 1, (i + 1) as f64 / t0.elapsed().as_secs_f64());
        }
    }
    index.commit()?;
    let took = t0.elapsed();
    println!(
        "indexed {n} docs ({:.0} MB of text) in {:.1} s: {:.0} docs/s; index {:.0} MB on disk, {} segments",
        text_bytes as f64 / 1e6,
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64(),
        dir_size(&dir) as f64 / 1e6,
        index.index().searchable_segment_ids()?.len(),
    );

    // Queries: 1–3 words, every other one with a filter.
    let mut qrng = Rng(0x0bad_cafe_2026_0002);
    let domains: Vec<&str> = DEPARTMENTS.iter().map(|d| d.1).collect();
    let queries: Vec<Query> = (0..2000)
        .map(|i| {
            let words: Vec<&str> = (0..1 + qrng.below(3)).map(|_| qrng.pick(QUERY_WORDS)).collect();
            let mut q = Query::text(words.join(" "));
            q.doc_type = Some(DocType::Decision);
            match i % 8 {
                1 => q.domain = Some(qrng.pick(&domains).to_owned()),
                3 => {
                    let y = 2020 + qrng.below(7) as i16;
                    q.from = Date::new(y, 1, 1).ok();
                    q.to = Date::new(y, 6, 30).ok();
                }
                5 => q.min_fen = Some(1_000_000),
                7 => {
                    let c = qrng.below(COUNTIES.len());
                    let d = qrng.below(DEPARTMENTS.len());
                    q.agency = Some(format!("11{:06}MB{:07}", 130100 + c, c * DEPARTMENTS.len() + d));
                }
                _ => {}
            }
            q
        })
        .collect();
    index.search(&Query::text("食品安全"))?; // warm-up: loads the dictionary
    let mut all = Vec::with_capacity(queries.len());
    let mut filtered = Vec::new();
    let mut plain = Vec::new();
    let mut total_hits = 0usize;
    for (i, q) in queries.iter().enumerate() {
        let t = Instant::now();
        let hits = index.search(q)?;
        let e = t.elapsed();
        total_hits += hits.total;
        all.push(e);
        if i % 2 == 1 { filtered.push(e) } else { plain.push(e) }
    }
    for (name, v) in [("all", &mut all), ("text only", &mut plain), ("text + filter", &mut filtered)] {
        v.sort();
        println!(
            "queries {name:>13} ({:>4}): p50 {:>6.2} ms  p95 {:>6.2} ms  p99 {:>6.2} ms  max {:>6.2} ms",
            v.len(),
            percentile(v, 0.50).as_secs_f64() * 1e3,
            percentile(v, 0.95).as_secs_f64() * 1e3,
            percentile(v, 0.99).as_secs_f64() * 1e3,
            v.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
        );
    }
    println!("mean total matches per query: {:.0}", total_hits as f64 / queries.len() as f64);
    drop(index);
    if remove {
        std::fs::remove_dir_all(&dir)?;
    }
    Ok(())
}
