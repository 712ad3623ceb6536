"""What the demo stores sell: a Chinese clothing chain's ranges and a Korean salon's services and products.

Prices are integers in minor units (fen for CNY, won for KRW, which has no minor unit). A basket is drawn for
one shopper on one day: the season decides what hangs on the rails, the shopper's gender and family decide
what they reach for.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

WOMEN, MEN, KIDS, ANYONE = "women", "men", "kids", "anyone"
ALL_YEAR, WARM, COLD, MILD = "all", "warm", "cold", "mild"

# How much each season's ranges sell in each month (1 = January); the demo's stores are in the northern hemisphere.
_SEASON_BY_MONTH = {
    ALL_YEAR: (1,) * 12,
    WARM: (0.2, 0.2, 0.4, 1, 2.5, 3, 3, 3, 1.5, 0.4, 0.2, 0.2),
    COLD: (3, 2.5, 1, 0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 1.5, 3, 3.5),
    MILD: (0.5, 1, 2.5, 2.5, 1.5, 0.5, 0.3, 0.5, 2, 2.5, 1.5, 0.5),
}


@dataclass(frozen=True, slots=True)
class Product:
    sku: str  # style code; clothing adds colour and size
    name: str
    brand: str
    category: str
    price_minor: int
    audience: str = ANYONE
    season: str = ALL_YEAR
    sizes: tuple[str, ...] = ()
    most: int = 1  # the largest quantity one shopper takes


@dataclass(frozen=True, slots=True)
class Item:
    """One line on a receipt."""

    sku: str
    name: str
    brand: str
    category: str
    unit_price_minor: int
    quantity: int = 1


@dataclass(frozen=True, slots=True)
class Shopper:
    gender: str
    with_kids: bool


def _yuan(amount: int) -> int:
    return amount * 100


W_SIZES = ("S", "M", "L", "XL")
M_SIZES = ("M", "L", "XL", "XXL")
K_SIZES = ("110", "120", "130", "140", "150")
COLOURS = {
    "BK": "黑色", "WH": "白色", "NV": "藏青", "GY": "灰色", "KH": "卡其", "BE": "米色", "PK": "粉色", "GN": "墨绿",
    "RD": "酒红", "BL": "雾蓝",
}  # fmt: skip

_YS, _HOMME, _KIDS = "YUNSHANG 云裳", "YUNSHANG HOMME", "小云朵 XIAOYUNDUO"
TOPS, TROUSERS, DRESSES, OUTERWEAR, KIDSWEAR, ACCESSORIES = "上衣", "裤装", "裙装", "外套", "童装", "配饰"

CLOTHING = (
    Product("YS-T101", "纯棉圆领短袖T恤", _YS, TOPS, _yuan(129), WOMEN, WARM, W_SIZES),
    Product("YS-T102", "莫代尔印花T恤", _YS, TOPS, _yuan(149), WOMEN, WARM, W_SIZES),
    Product("YS-T201", "法式方领泡泡袖衬衫", _YS, TOPS, _yuan(259), WOMEN, MILD, W_SIZES),
    Product("YS-T202", "缎面垂感衬衫", _YS, TOPS, _yuan(329), WOMEN, ALL_YEAR, W_SIZES),
    Product("YS-T301", "羊毛混纺圆领针织衫", _YS, TOPS, _yuan(399), WOMEN, COLD, W_SIZES),
    Product("YS-T302", "V领针织开衫", _YS, TOPS, _yuan(359), WOMEN, MILD, W_SIZES),
    Product("YS-T401", "宽松连帽卫衣", _YS, TOPS, _yuan(299), ANYONE, MILD, W_SIZES),
    Product("YH-T501", "男士免烫商务衬衫", _HOMME, TOPS, _yuan(299), MEN, ALL_YEAR, M_SIZES),
    Product("YH-T502", "男士珠地棉POLO衫", _HOMME, TOPS, _yuan(229), MEN, WARM, M_SIZES),
    Product("YH-T503", "男士圆领卫衣", _HOMME, TOPS, _yuan(269), MEN, MILD, M_SIZES),
    Product("YS-P101", "高腰直筒牛仔裤", _YS, TROUSERS, _yuan(359), WOMEN, ALL_YEAR, W_SIZES),
    Product("YS-P102", "垂感阔腿西裤", _YS, TROUSERS, _yuan(329), WOMEN, ALL_YEAR, W_SIZES),
    Product("YS-P103", "九分烟管裤", _YS, TROUSERS, _yuan(289), WOMEN, MILD, W_SIZES),
    Product("YS-P104", "运动束脚裤", _YS, TROUSERS, _yuan(199), ANYONE, ALL_YEAR, W_SIZES),
    Product("YH-P301", "男士弹力休闲裤", _HOMME, TROUSERS, _yuan(299), MEN, ALL_YEAR, M_SIZES),
    Product("YH-P302", "男士修身牛仔裤", _HOMME, TROUSERS, _yuan(339), MEN, ALL_YEAR, M_SIZES),
    Product("YS-D101", "碎花雪纺连衣裙", _YS, DRESSES, _yuan(459), WOMEN, WARM, W_SIZES),
    Product("YS-D102", "针织收腰连衣裙", _YS, DRESSES, _yuan(529), WOMEN, MILD, W_SIZES),
    Product("YS-D103", "真丝印花连衣裙", _YS, DRESSES, _yuan(899), WOMEN, WARM, W_SIZES),
    Product("YS-D201", "A字半身裙", _YS, DRESSES, _yuan(269), WOMEN, ALL_YEAR, W_SIZES),
    Product("YS-D202", "百褶半身长裙", _YS, DRESSES, _yuan(329), WOMEN, MILD, W_SIZES),
    Product("YS-C101", "双面羊绒大衣", _YS, OUTERWEAR, _yuan(1599), WOMEN, COLD, W_SIZES),
    Product("YS-C102", "短款白鸭绒羽绒服", _YS, OUTERWEAR, _yuan(1299), WOMEN, COLD, W_SIZES),
    Product("YS-C103", "中长款风衣", _YS, OUTERWEAR, _yuan(899), WOMEN, MILD, W_SIZES),
    Product("YS-C104", "粗花呢短外套", _YS, OUTERWEAR, _yuan(699), WOMEN, MILD, W_SIZES),
    Product("YS-C105", "防晒皮肤衣", _YS, OUTERWEAR, _yuan(199), ANYONE, WARM, W_SIZES),
    Product("YH-C201", "男士连帽羽绒服", _HOMME, OUTERWEAR, _yuan(1399), MEN, COLD, M_SIZES),
    Product("YH-C202", "男士休闲西装外套", _HOMME, OUTERWEAR, _yuan(799), MEN, MILD, M_SIZES),
    Product("XY-K101", "儿童纯棉T恤", _KIDS, KIDSWEAR, _yuan(89), KIDS, WARM, K_SIZES, most=3),
    Product("XY-K102", "儿童连帽卫衣", _KIDS, KIDSWEAR, _yuan(139), KIDS, MILD, K_SIZES, most=2),
    Product("XY-K103", "儿童弹力牛仔裤", _KIDS, KIDSWEAR, _yuan(129), KIDS, ALL_YEAR, K_SIZES, most=2),
    Product("XY-K104", "女童网纱公主裙", _KIDS, KIDSWEAR, _yuan(199), KIDS, WARM, K_SIZES),
    Product("XY-K105", "儿童轻薄羽绒服", _KIDS, KIDSWEAR, _yuan(399), KIDS, COLD, K_SIZES),
    Product("XY-K106", "儿童加绒运动套装", _KIDS, KIDSWEAR, _yuan(229), KIDS, COLD, K_SIZES),
    Product("YS-A101", "真丝小方巾", _YS, ACCESSORIES, _yuan(159), WOMEN),
    Product("YS-A102", "羊毛围巾", _YS, ACCESSORIES, _yuan(259), ANYONE, COLD),
    Product("YS-A103", "头层牛皮腰带", _YS, ACCESSORIES, _yuan(199), ANYONE),
    Product("YS-A104", "通勤托特包", _YS, ACCESSORIES, _yuan(599), WOMEN),
    Product("YS-A105", "棉质渔夫帽", _YS, ACCESSORIES, _yuan(99), ANYONE, WARM),
    Product("YS-A106", "精梳棉袜三双装", _YS, ACCESSORIES, _yuan(39), ANYONE, most=3),
)

_RAON = "RAON 라온"
CUT, PERM, COLOUR, CLINIC, NAIL, SKIN, HAIRCARE = "헤어컷", "펌", "염색", "클리닉", "네일", "피부관리", "헤어제품"
KIDS_CUT = Product("SV-CUT-K", "아동 커트", _RAON, CUT, 15_000, KIDS)
SALON_SERVICES = (
    Product("SV-CUT-W", "여성 커트", _RAON, CUT, 33_000, WOMEN),
    Product("SV-CUT-M", "남성 커트", _RAON, CUT, 22_000, MEN),
    Product("SV-PRM-DG", "디지털 펌", _RAON, PERM, 165_000, WOMEN),
    Product("SV-PRM-ST", "셋팅 펌", _RAON, PERM, 180_000, WOMEN),
    Product("SV-PRM-VM", "볼륨 매직", _RAON, PERM, 150_000, WOMEN),
    Product("SV-PRM-DN", "남성 다운펌", _RAON, PERM, 35_000, MEN),
    Product("SV-PRM-PT", "남성 가르마펌", _RAON, PERM, 70_000, MEN),
    Product("SV-CLR-FL", "전체 염색", _RAON, COLOUR, 99_000, WOMEN),
    Product("SV-CLR-RT", "뿌리 염색", _RAON, COLOUR, 55_000, ANYONE),
    Product("SV-CLR-BL", "탈색 1회", _RAON, COLOUR, 80_000, WOMEN),
    Product("SV-CLR-GR", "새치 염색", _RAON, COLOUR, 45_000, ANYONE),
    Product("SV-NAL-GL", "젤 네일 원컬러", _RAON, NAIL, 50_000, WOMEN),
    Product("SV-NAL-AR", "젤 네일 아트", _RAON, NAIL, 75_000, WOMEN),
    Product("SV-SKN-HY", "수분 진정 관리", _RAON, SKIN, 90_000, WOMEN),
    Product("SV-SKN-EL", "속눈썹 연장", _RAON, SKIN, 65_000, WOMEN),
)
SALON_ADD_ONS = (
    Product("SV-CLN-SC", "두피 스케일링", _RAON, CLINIC, 50_000),
    Product("SV-CLN-KT", "케라틴 클리닉", _RAON, CLINIC, 70_000, WOMEN),
    Product("SV-CLN-SP", "헤드 스파", _RAON, CLINIC, 60_000),
)
SALON_PRODUCTS = (  # EAN-13 barcodes; 880 is Korea's GS1 prefix
    Product("8809123450011", "리페어 샴푸 500ml", "AMOS PROFESSIONAL", HAIRCARE, 28_000, most=2),
    Product("8809123450028", "세리 엑스퍼트 트리트먼트 250ml", "L'ORÉAL PROFESSIONNEL", HAIRCARE, 35_000),
    Product("8809123450035", "모로칸오일 트리트먼트 100ml", "MOROCCANOIL", HAIRCARE, 48_000),
    Product("8809123450042", "폴리젠 탈모 샴푸 500ml", "Dr.FORHAIR", HAIRCARE, 32_000, most=2),
    Product("8809123450059", "엘리먼트 헤어 에센스 120ml", "MILBON", HAIRCARE, 39_000),
    Product("8809123450066", "엘릭서 얼팀 오일 100ml", "KÉRASTASE", HAIRCARE, 62_000),
)


def _appeal(product: Product, shopper: Shopper, when: date) -> float:
    season = _SEASON_BY_MONTH[product.season][when.month - 1]
    if product.audience == KIDS:
        return season * (0.8 if shopper.with_kids else 0.0)
    if (
        product.audience == ANYONE
        or shopper.gender == ""
        or product.audience == (MEN if shopper.gender == "male" else WOMEN)
    ):
        return season
    return season * 0.08  # a gift for someone else


def _pick(rng: random.Random, products: tuple[Product, ...], shopper: Shopper, when: date) -> Product:
    weights = [_appeal(p, shopper, when) for p in products]
    return rng.choices(products, weights=weights)[0]


def _item(rng: random.Random, product: Product) -> Item:
    quantity = 1 if product.most == 1 or rng.random() < 0.7 else rng.randint(2, product.most)
    if not product.sizes:
        return Item(product.sku, product.name, product.brand, product.category, product.price_minor, quantity)
    colour = rng.choice(list(COLOURS))
    size = rng.choice(product.sizes)
    return Item(
        sku=f"{product.sku}-{colour}-{size}",
        name=f"{product.name} {COLOURS[colour]}/{size}",
        brand=product.brand,
        category=product.category,
        unit_price_minor=product.price_minor,
        quantity=quantity,
    )


def clothing_basket(rng: random.Random, shopper: Shopper, when: date, at_least_minor: int = 0) -> list[Item]:
    """One to four garments; keeps adding until the basket reaches ``at_least_minor`` (the joining threshold)."""
    wanted = rng.choices((1, 2, 3, 4), weights=(45, 32, 15, 8))[0]
    items: list[Item] = []
    while len(items) < wanted or sum(i.unit_price_minor * i.quantity for i in items) < at_least_minor:
        product = _pick(rng, CLOTHING, shopper, when)
        if all(not i.sku.startswith(product.sku) for i in items):
            items.append(_item(rng, product))
    return items


def salon_visit(rng: random.Random, shopper: Shopper, when: date) -> list[Item]:
    """A main service, sometimes a clinic add-on, sometimes a product to take home."""
    main = _pick(rng, SALON_SERVICES, Shopper(shopper.gender, with_kids=False), when)
    items = [_item(rng, main)]
    add_on_chance = 0.1 if main.category == CUT else 0.3
    if rng.random() < add_on_chance:
        items.append(_item(rng, _pick(rng, SALON_ADD_ONS, shopper, when)))
    if rng.random() < 0.18:
        items.append(_item(rng, rng.choice(SALON_PRODUCTS)))
    if shopper.with_kids and rng.random() < 0.1:
        items.append(_item(rng, KIDS_CUT))
    return items
