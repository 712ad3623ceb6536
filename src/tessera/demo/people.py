"""Demo members: Chinese and Korean names, valid mobile numbers, birthdays, genders, languages and e-mails.

Every draw comes from the ``random.Random`` the caller passes in, so one seed always gives the same people.
Numbers are checked with libphonenumber before use, the same check enrolment makes.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import phonenumbers

from tessera.members.services import Profile


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Surnames roughly in order of frequency; the weights fall off the way real surname counts do.
CN_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
)
CN_GIVEN_FEMALE = _words(
    "丽娟 静怡 欣怡 梓涵 诗涵 雨桐 佳怡 婷婷 晓燕 秀英 春梅 海燕 雪梅 丽华 玉兰 美玲 思雨 梦琪 雅静 晓敏 慧敏 文静 "
    "心怡 佳琪 子涵 雨萱 欣妍 紫萱 晓雯 嘉欣 一诺 若曦 静 敏 丽 娜 婷 颖 洁 琳 芳 燕 倩 璐"
)
CN_GIVEN_MALE = _words(
    "建华 志强 浩然 子轩 宇航 俊杰 文博 明辉 国强 建军 海涛 晓东 志明 鹏飞 家豪 天宇 浩宇 博文 子豪 皓轩 "
    "嘉诚 振宇 伟 磊 强 军 勇 杰 涛 斌 超 鹏 峰 亮 辉 刚"
)
CN_MOBILE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 166 173 175 176 177 180 181 182 183 "
    "185 186 187 188 189 191 198 199"
)
CN_MAIL_HANDLES = _words("sunny lily coco momo kiki amy vivian grace jason kevin leo tony cathy elaine")

KR_SURNAMES = {
    "김": 21.5, "이": 14.7, "박": 8.4, "최": 4.7, "정": 4.3, "강": 2.3, "조": 2.1, "윤": 2.1, "장": 2.0, "임": 1.7,
    "한": 1.5, "오": 1.5, "서": 1.5, "신": 1.4, "권": 1.4, "황": 1.4, "안": 1.3, "송": 1.3, "전": 1.1, "홍": 1.1,
    "유": 1.1, "고": 0.9, "문": 0.9, "손": 0.9, "양": 0.8, "배": 0.8, "백": 0.7, "허": 0.6, "노": 0.6, "남": 0.5,
}  # fmt: skip
KR_GIVEN_FEMALE = _words(
    "지영 수진 은정 미영 지은 현정 은지 혜진 민지 수연 유진 서연 지현 예은 하은 소연 민정 수빈 지원 혜원 윤희 "
    "미경 정미 은영 선영 지혜 다은 채원 서현 나연 현주 보람 아름 슬기 유나 지수"
)
KR_GIVEN_MALE = _words(
    "민수 성민 지훈 현우 준호 동현 상훈 영호 정민 재현 태현 승현 민준 도윤 건우 성호 영수 진우 준영 상우 우진 시우"
)
KR_MAIL_HANDLES = _words("sky star mint rain hana jiny sun blue happy luna day jun")


@dataclass(frozen=True, slots=True)
class Population:
    """How one market's members look: who shops there and how their details are written."""

    region: str
    female_share: float
    male_share: float
    language: str
    name: Callable[[random.Random, str], str]
    mobile: Callable[[random.Random], str]
    email: Callable[[random.Random, date | None], str | None]


def _weighted_surname(rng: random.Random, surnames: Sequence[str], weights: Sequence[float]) -> str:
    return rng.choices(surnames, weights=weights)[0]


_CN_WEIGHTS = [1.0 / (1 + i * 0.25) for i in range(len(CN_SURNAMES))]


def cn_name(rng: random.Random, gender: str) -> str:
    given = CN_GIVEN_MALE if gender == "male" else CN_GIVEN_FEMALE
    return _weighted_surname(rng, CN_SURNAMES, _CN_WEIGHTS) + rng.choice(given)


def kr_name(rng: random.Random, gender: str) -> str:
    given = KR_GIVEN_MALE if gender == "male" else KR_GIVEN_FEMALE
    return _weighted_surname(rng, list(KR_SURNAMES), list(KR_SURNAMES.values())) + rng.choice(given)


def cn_mobile(rng: random.Random) -> str:
    return rng.choice(CN_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def kr_mobile(rng: random.Random) -> str:
    return f"010-{rng.randrange(2000, 10000)}-{rng.randrange(10000):04d}"


def cn_email(rng: random.Random, birthday: date | None) -> str | None:
    roll = rng.random()
    if roll < 0.2:
        return f"{rng.randrange(10**7, 10**10)}@qq.com"
    if roll < 0.3:
        year = birthday.year if birthday else rng.randrange(1970, 2005)
        return f"{rng.choice(CN_MAIL_HANDLES)}{year}@163.com"
    return None


def kr_email(rng: random.Random, birthday: date | None) -> str | None:
    if rng.random() >= 0.35:
        return None
    suffix = f"{birthday:%y%m}" if birthday else str(rng.randrange(10, 100))
    domain = rng.choices(["naver.com", "gmail.com", "daum.net", "kakao.com"], weights=[6, 3, 1, 1])[0]
    return f"{rng.choice(KR_MAIL_HANDLES)}{suffix}@{domain}"


CHINA = Population("CN", 0.68, 0.28, "zh-hans", cn_name, cn_mobile, cn_email)
KOREA = Population("KR", 0.82, 0.16, "ko", kr_name, kr_mobile, kr_email)


def _gender(rng: random.Random, population: Population) -> str:
    roll = rng.random()
    if roll < population.female_share:
        return "female"
    return "male" if roll < population.female_share + population.male_share else ""


def _birthday(rng: random.Random, today: date) -> date | None:
    if rng.random() < 0.12:  # some members never give it
        return None
    age = min(70, max(18, int(rng.triangular(18, 66, 31))))
    return today - timedelta(days=age * 365 + rng.randrange(365))


def _mobile(rng: random.Random, population: Population, taken: set[str]) -> str:
    while True:
        raw = population.mobile(rng)
        number = phonenumbers.parse(raw, population.region)
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_valid_number(number) and e164 not in taken:
            taken.add(e164)
            return raw


def profiles_make(*, rng: random.Random, population: Population, count: int, today: date) -> list[Profile]:
    """``count`` members of one market with distinct, valid mobile numbers, written as a local till would."""
    taken: set[str] = set()
    profiles = []
    for _ in range(count):
        gender = _gender(rng, population)
        birthday = _birthday(rng, today)
        language = population.language if rng.random() < 0.98 else "en"
        profiles.append(
            Profile(
                phone=_mobile(rng, population, taken),
                name=population.name(rng, gender),
                birthday=birthday,
                gender=gender,
                locale=language,
                email=population.email(rng, birthday),
            )
        )
    return profiles
