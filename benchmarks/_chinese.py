"""A synthetic Chinese news corpus: articles drawn from sentences written like Chinese coverage of
the Social Credit System (state and commercial media, overseas Chinese-language outlets) and like
the ordinary city news around it, so that most sentences carry no frame.

The sentences are this project's own. Articles are seeded, so every run tags the same texts.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

SENTENCES = [
    "国务院于2014年印发《社会信用体系建设规划纲要（2014—2020年）》，提出到2020年基本建立社会信用基础性法规和标准体系。",
    "截至去年底，全国法院累计发布失信被执行人名单1400余万人次，其中不少人已主动履行了义务。",
    "被列入黑名单的“老赖”将被限制乘坐飞机和高铁，也不得入住星级酒店。",
    "批评者认为，这套系统借助遍布街头的监控摄像头和人脸识别技术，对公民实行全天候监视。",
    "一位北京的律师说：“这不是监控，而是让欠债的人还钱。”",
    "在山东荣成，每位市民的初始信用积分为1000分，闯红灯或拖欠物业费都会被扣分。",
    "事实上，并不存在一个覆盖全体公民的统一评分，各地的试点做法五花八门。",
    "学者指出，中国长期缺乏像西方那样成熟的征信体系，大量小微企业和农民没有信用记录。",
    "与美国的FICO信用评分相比，中国的做法更多依赖行政手段，而非市场化的征信机构。",
    "德国的SCHUFA同样对几乎每一个成年人进行信用评估，这一点常被西方媒体忽略。",
    "一项针对两千多名受访者的问卷调查显示，约八成民众对社会信用体系表示赞同。",
    "不少市民表示，自从商家被纳入信用监管后，买东西更放心了，安全感也提高了。",
    "地方政府希望依靠大数据、人工智能和区块链技术，打造“智慧城市”的信用管理平台。",
    "有专家警告，数据质量参差不齐，错误的记录可能让无辜者蒙受损失，技术并非万能药。",
    "国家发展改革委和中国人民银行负责统筹协调全国信用信息共享平台的建设。",
    "据新华社报道，“信用中国”网站已公示各类行政许可和行政处罚信息数亿条。",
    "《环球时报》社评称，西方对中国社会信用体系的描绘充满了偏见和双重标准。",
    "蚂蚁集团旗下的芝麻信用是一种商业信用评分，与政府主导的社会信用体系并不是一回事。",
    "最高人民法院表示，失信惩戒机制有效缓解了长期困扰法院的“执行难”问题。",
    "守信激励和失信惩戒是这一制度的两大支柱，红名单上的企业可以享受绿色通道。",
    "一些地方把闯红灯、欠缴水电费甚至在网上发表不当言论都纳入了失信范围。",
    "人权组织称，新疆的维吾尔族人受到了更为严密的监控，言论审查也日益收紧。",
    "他强调，社会信用体系并非奥威尔笔下的“老大哥”，而是市场经济的基础设施。",
    "近年来，食品安全事件和假冒伪劣产品屡禁不止，商业欺诈和合同违约屡见不鲜。",
    "央行征信中心已为超过十亿人建立了个人信用档案。",
    "由于各部门数据标准不一、信息孤岛现象严重，很多城市的系统实际上各自为政。",
    "习近平多次强调，要加快推进诚信建设，营造良好的营商环境。",
    "今年春天，财新记者走访了江苏、浙江等地的多个示范城市。",
    "这位居民对记者说，他从来没有听说过自己的信用分数。",
    "腾讯和阿里巴巴等科技巨头掌握着海量用户数据，被视为这一体系的技术后盾。",
    "分析人士认为，所谓“算法治理”的背后，是对技术解决社会问题的过度迷信。",
    "发达国家用了一百多年才建立起完善的信用制度，中国希望在几十年内迎头赶上。",
    "普惠金融的发展离不开信用基础设施，缺乏信用记录的人很难获得贷款。",
    "记者在街头随机采访了二十位路人，其中十六人表示支持这一制度。",
    "欧盟的《人工智能法》明确禁止公共机构对公民进行社会评分。",
    "市场监管总局表示，将对严重违法失信企业实施联合惩戒。",
    "他说：“我们没有看到所谓的全面监控，只看到一张张分散的名单。”",
    "这并非一个全国统一的系统，而是由数十个地方试点拼凑起来的碎片化格局。",
    "今天上午，市政府召开新闻发布会，介绍今年上半年经济运行情况。",
    "天气预报显示，明天本市将有中到大雨，请市民注意出行安全。",
    "全市共新建公园绿地十二处，新增停车位三千多个，地铁三号线也将于年底通车。",
    "据统计，一季度全省规模以上工业增加值同比增长百分之五点三。",
    "该公司董事长在接受采访时表示，明年将继续加大研发投入。",
    "教育部门提醒家长，暑期要注意防范溺水等安全风险。",
    "这家老字号餐馆开业已有六十多年，每天中午门口都排起长队。",
    "《人民日报》发表评论文章，呼吁全社会共同营造诚实守信的良好氛围。",
]

# the codebook's key terms whose segmentation the segmenter measurement reports
KEY_TERMS = ["社会信用体系", "诚信", "失信被执行人", "黑名单", "信用评分", "大数据", "人脸识别", "老赖",
             "征信体系", "红名单", "失信惩戒", "守信激励", "智慧城市", "区块链", "人工智能", "芝麻信用",
             "信息孤岛", "信用记录", "执行难", "营商环境"]


def chinese_articles(n: int, chars: int = 1000, seed: int = 15) -> Iterator[dict[str, Any]]:
    """``n`` articles of about ``chars`` characters: a headline line, then sentences drawn at random
    (with repeats), a paragraph break every few sentences.

    Parameters
    ----------
    n
        Number of articles.
    chars
        Characters per article, roughly (a 600-word English article is 1,000-1,200 in Chinese).
    seed
        The random seed: the same arguments give the same articles.
    """
    rng = random.Random(seed)
    for k in range(n):
        parts, size = [rng.choice(SENTENCES)[:18].rstrip("，、：“《") + "\n"], 0
        while size < chars:
            sentence = rng.choice(SENTENCES)
            parts.append(sentence + ("\n" if rng.random() < 0.25 else ""))
            size += len(sentence)
        yield {"article_id": f"zh{k:06d}", "outlet": "示例日报", "language": "zh", "published": None,
               "text": "".join(parts)}
