"""Small source files written in the published layouts (never downloaded): the 介護サービス情報公表
open-data CSV, ナビイ's facility and hours CSVs, and a 厚生局 届出受理医療機関名簿 workbook."""

import csv
import io
import random
from dataclasses import dataclass, field

from openpyxl import Workbook

KAIGO_HEADER = ["都道府県コード又は市町村コード", "No", "都道府県名", "市区町村名", "事業所名", "事業所名カナ", "サービスの種類",
                "住所", "方書（ビル名等）", "緯度", "経度", "電話番号", "FAX番号", "法人番号", "法人の名称", "事業所番号",
                "利用可能曜日", "利用可能曜日特記事項", "定員", "URL", "高齢者の方と障害者の方が同時一体的に利用できるサービス",
                "介護保険の通常の指定基準を満たしている", "障害福祉の通常の指定基準を満たしている", "備考"]
DAYS = "月火水木金土日"


_RNG = random.Random()


def unique_digits(n: int) -> str:
    return "".join(str(_RNG.randint(0, 9)) for _ in range(n))


def office_number(prefecture: str = "15", third: str = "6") -> str:
    return prefecture + third + unique_digits(7)


def navii_id() -> str:
    return "15" + unique_digits(11)


@dataclass
class KaigoRow:
    number: str
    name: str
    service_type: str = "訪問看護"
    code6: str = "152021"                 # 長岡市
    city: str = "長岡市"
    address: str = "新潟県長岡市大手通1-1-1"
    lat: str = "37.4464"
    lon: str = "138.8511"
    phone: str = "0258-00-0000"
    corporate: str = "7000012050002"
    corporate_name: str = "医療法人テスト会"
    kana: str = ""
    capacity: str = ""
    url: str = "https://example.jp/"

    def cells(self, n: int) -> list[str]:
        return [self.code6, str(n), "新潟県", self.city, self.name, self.kana, self.service_type, self.address, "",
                self.lat, self.lon, self.phone, "", self.corporate, self.corporate_name, self.number, "月,火,水,木,金",
                "", self.capacity, self.url, "", "", "", ""]


def kaigo_csv(rows: list[KaigoRow], header: list[str] | None = None) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header or KAIGO_HEADER)
    for i, r in enumerate(rows, 1):
        w.writerow(r.cells(i))
    return buf.getvalue().encode("utf-8-sig")


@dataclass
class NaviiRow:
    id: str
    name: str
    kana: str = ""
    pref: str = "15"
    city: str = "202"
    address: str = "新潟県長岡市大手通2-2-2"
    lat: str = "37.4470"
    lon: str = "138.8520"
    url: str = ""
    closed: str = ""                      # weekdays closed, e.g. "日"
    closed_holiday: bool = True
    hours: dict = field(default_factory=dict)   # pharmacies: {"月": [("09:00", "18:00")], ...}


def navii_facility_csv(rows: list[NaviiRow], *, pharmacy: bool = False) -> bytes:
    header = ["ID", "名称" if pharmacy else "正式名称", "フリガナ" if pharmacy else "正式名称（フリガナ）", "都道府県コード",
              "市区町村コード", "所在地", "所在地座標（緯度）", "所在地座標（経度）",
              "薬局のホームページアドレス" if pharmacy else "案内用ホームページアドレス"]
    header += [f"毎週決まった曜日に休診（{d}）" for d in DAYS] + ["祝日に休診", "その他の休診日（gw、お盆等）"]
    if pharmacy:
        for d in DAYS + "祝":
            for n in range(1, 5):
                header += [f"{d}_開店時間帯{n}_開始時間", f"{d}_開店時間帯{n}_終了時間"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    w.writerow(header)
    for r in rows:
        row = [r.id, r.name, r.kana, r.pref, r.city, r.address, r.lat, r.lon, r.url]
        row += ["1" if d in r.closed else "0" for d in DAYS] + ["1" if r.closed_holiday else "0", ""]
        if pharmacy:
            for d in DAYS + "祝":
                slots = r.hours.get(d, [])
                for n in range(4):
                    row += list(slots[n]) if n < len(slots) else ["", ""]
        w.writerow(row)
    return buf.getvalue().encode("utf-8-sig")


def navii_hours_csv(rows: list[tuple[str, str, dict]]) -> bytes:
    """rows: (ID, 診療科目名, {"月": ("09:00", "12:00"), ...})."""
    header = ["ID", "診療科目コード", "診療科目名", "診療時間帯"]
    for d in DAYS + "祝":
        header += [f"{d}_診療開始時間", f"{d}_診療終了時間"]
    for d in DAYS + "祝":
        header += [f"{d}_外来受付開始時間", f"{d}_外来受付終了時間"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    w.writerow(header)
    for fid, subject, hours in rows:
        row = [fid, "01001", subject, "1"]
        for d in DAYS + "祝":
            row += list(hours.get(d, ("", "")))
        row += [""] * 16
        w.writerow(row)
    return buf.getvalue().encode("utf-8-sig")


MEIBO_HEADER = ["項番", "都道府県コード", "都道府県名", "区分", "医療機関番号", "併設医療機関番号", "医療機関記号番号",
                "医療機関名称", "医療機関所在地（郵便番号）", "医療機関所在地（住所）", "電話番号", "FAX番号", "病床数",
                "受理届出名称", "受理記号", "受理番号", "算定開始年月日", "個別有効開始年月日", "備考（見出し）", "備考（データ）"]


@dataclass
class MeiboInstitution:
    number: str                           # 7 digits
    name: str
    section: str = "医科"
    address: str = "新潟県長岡市大手通2-2-2"
    phone: str = ""
    filings: list[tuple[str, str]] = field(default_factory=list)   # (受理届出名称, 受理記号)


def meibo_xlsx(institutions: list[MeiboInstitution], *, as_of_text: str = "令和7年10月1日現在",
               blank_repeats: bool = True) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "新潟"
    ws.append(["施設基準の届出受理状況（届出受理医療機関名簿）"])
    ws.append([as_of_text])
    ws.append([])
    ws.append(MEIBO_HEADER)
    for n, inst in enumerate(institutions, 1):
        for i, (filing, symbol) in enumerate(inst.filings or [("", "")]):
            first = i == 0 or not blank_repeats
            ws.append([n if first else None, "15" if first else None, "新潟県" if first else None,
                       inst.section if first else None, inst.number if first else None, None, None,
                       inst.name if first else None, "940-0062" if first else None, inst.address if first else None,
                       inst.phone if first else None, None, None, filing, symbol, "第1号", "令和6年6月1日", None, None, None])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
