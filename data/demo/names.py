"""Name pools of the demo county and drawing unique names from them."""
from __future__ import annotations

SURNAMES = list(
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程"
    "魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金贾夏付方邹熊白孟秦邱侯江尹薛段雷黎史陶贺毛郝顾龚邵"
    "万武钱戴严孔向常汤")
HEADS = list("石柳杨槐枣桃杏梨竹松双三五七新老东西南北上下大小前后高龙凤马白黑青红黄金花官古河沙长平安太丰")
HEADS2 = [
    "清水", "黄土", "红石", "白果", "卧龙", "凤凰", "青山", "丹水", "太平", "和平", "永安", "长乐",
    "兴隆", "富民", "桃园", "杨树", "柳林", "石门", "双庙", "三里", "五里", "十里", "枣林", "梨园",
    "松树", "竹园", "大坪", "小河", "南山", "北岭", "东沟", "西湾", "龙泉", "金鸡", "白土", "马蹄",
]
TAILS = list("庄营店沟岭坪河湾寨坡集桥堡口园洼岗铺庙台峪川坝岔垭岩楼关塬")
COMMUNITIES = [
    "东关", "西关", "南关", "北关", "城东", "城西", "城南", "城北", "人民路", "解放路", "建设路",
    "文化路", "中山路", "新华路", "和平路", "胜利路", "滨河", "府前", "车站", "学府", "光明", "幸福",
    "朝阳", "团结", "兴华", "育才", "康宁", "锦绣", "翠屏", "紫荆",
]
STREETS = [
    "人民路", "解放路", "建设路", "文化路", "中山路", "新华路", "和平路", "胜利路", "滨河路", "府前街",
    "车站路", "学府路", "工业路", "光明路", "幸福路", "朝阳路", "团结路", "兴华街", "东大街", "西大街",
    "南大街", "北大街",
]
#: The seat township (城关 + 镇).
SEAT_NAME = "城关镇"

#: Hotspot place words of towns, and those used for villages instead.
URBAN_PLACES = {"城中村", "汽车站周边", "批发市场", "商业街", "KTV周边", "网吧周边", "宾馆周边",
                "夜市", "背街小巷", "居民区", "集镇"}
RURAL_PLACES = ["集市周边", "村部周边", "村组居民点", "村口路段"]

#: Hotspot place words by the hotspot's main incident category.
PLACES = {
    "theft": ["集贸市场周边", "商业街", "汽车站周边", "城中村", "批发市场"],
    "snatching": ["商业街", "广场周边"],
    "robbery": ["城中村", "背街小巷"],
    "traffic_accident": ["路口", "路段", "弯道路段"],
    "assault": ["夜市", "网吧周边", "KTV周边", "广场周边"],
    "dispute": ["集镇", "广场周边", "集贸市场周边"],
    "drugs": ["出租屋片区", "宾馆周边", "城中村"],
    "telecom_fraud": ["居民区", "城中村"],
    "illegal_fundraising": ["商业街", "居民区"],
}


def unique_name(rng, make, used: set[str], tries: int = 200) -> str:
    """Draw names from ``make(rng)`` until one is not in ``used``."""
    for _ in range(tries):
        name = make(rng)
        if name not in used:
            used.add(name)
            return name
    # fall back on a numbered name (never reached in practice)
    base = make(rng)
    k = 2
    while f"{base}{k}" in used:
        k += 1
    used.add(f"{base}{k}")
    return f"{base}{k}"


def village_base(rng) -> str:
    """A village name without its 村 / 社区 suffix."""
    u = rng.random()
    if u < 0.30:
        return rng.choice(SURNAMES) + "家" + rng.choice(TAILS)
    if u < 0.55:
        return rng.choice(SURNAMES) + rng.choice(TAILS)
    if u < 0.85:
        return rng.choice(HEADS) + rng.choice(TAILS)
    return rng.choice(HEADS2) + (rng.choice(TAILS) if rng.random() < 0.5 else "")


def township_base(rng) -> str:
    """A township name without its 镇 / 乡 suffix."""
    if rng.random() < 0.6:
        return rng.choice(HEADS) + rng.choice(TAILS)
    return rng.choice(HEADS2)
