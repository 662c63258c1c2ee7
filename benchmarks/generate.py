#!/usr/bin/env python3
"""Generate a large, valid, deterministic site folder for benchmarks and tests.

    python benchmarks/generate.py --posts 10000 -o /tmp/bench-site [--seed 1] [--force]

writes ``/tmp/bench-site/content/`` in the format of docs/content-format.md:

* ``site.yaml`` with 12 districts (d01..d12), 5 sectors and the evaluation rules
  (pass_mark 85, revoke below 60 / 3 consecutive failures / at zero stars, first batch ends
  2023-12-31, year-end review "12-31");
* ``units/``: N/10 units (at least 1), about half with a public service hall;
* ``posts/``: N approved posts (about 1 in 4 a window 党员示范窗口, approved 2023-01..2023-06)
  plus about 1 % declared-only posts (no approval);
* ``members/``: 6 members per post (public consent for ~98 %, photo consent for ~70 %);
* ``evaluations/``: 36 monthly files 2023-01..2025-12 with scores for every approved, not yet
  revoked post from its approval month on; most posts pass most months, some fluctuate, and
  about 1 in 20 is revoked by the rules (a month below 60, or failures in a row / at zero stars);
* ``stories/``: N/2 Markdown stories of about 1,500 Chinese characters with headings, lists,
  bold text, links (external, to a post file, to another story) and front matter;
* ``images/``: a handful of small JPEG photos shared by all members and stories (one of them
  carries EXIF GPS data, which the build must strip).

The same arguments give byte-identical files (one ``random.Random`` per section, everything
sorted, no clock). Strings are written as JSON strings, which are valid YAML double-quoted
scalars, so nothing is ever read as a number, boolean or time.

``generate(posts, out, seed=1)`` does the same from Python.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path

# ---------------------------------------------------------------------------------------------
# Fixed settings

MEMBERS_PER_POST = 6
FIRST_MONTH = (2023, 1)
MONTHS = 36  # 2023-01 .. 2025-12
LAST_DAY = dt.date(2025, 12, 31)
PASS_T20 = 1700  # total = T20 / 20 with the weights below; pass_mark 85 -> T20 >= 1700
REVOKE_T20 = 1200  # revoke.below 60 -> T20 < 1200
CONSECUTIVE_FAILURES = 3

SITE_YAML = """\
# 站点设置（由 benchmarks/generate.py 生成的演示数据）
title: "青川市“弘扬先进性，奉献在岗位”星级党员示范岗"
base_url: "https://shifangang.qingchuan.example.cn/"
language: zh-CN
organisation:
  name: "中共青川市委先进性教育活动领导小组办公室"
  address: "青川市人民路 1 号市委大院 3 号楼 305 室"
  phone: "0571-86000001"
  email: "xjb@qingchuan.example.cn"
  website: "https://www.qingchuan.example.cn/"
districts:
{districts}sectors:
{sectors}evaluation:
  dimensions:
    politics: 0.25
    performance: 0.25
    service: 0.25
    exemplary: 0.25
  sources:
    self: 0.2
    public: 0.4
    organisation: 0.4
  pass_mark: 85
  revoke:
    below: 60
    consecutive_failures: 3
    fail_at_zero_stars: true
  missing_month: hold
  first_batch_end: 2023-12-31
  year_end_review: "12-31"
page_size: 30
"""

DISTRICTS = ["东湖区", "西山区", "南江区", "北塘区", "中山区", "青云区",
             "高新区", "江口区", "临川县", "安平县", "长宁县", "白石县"]
DISTRICT_IDS = [f"d{i:02d}" for i in range(1, len(DISTRICTS) + 1)]
SECTORS = [("service", "服务行业"), ("window", "窗口部门"), ("public", "公共事业"),
           ("health", "医疗卫生"), ("education", "教育系统")]

# ---------------------------------------------------------------------------------------------
# Vocabulary (fixed phrases combined at random)

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
            "魏苏吕丁任沈姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾"
            "毛郝龚邵万钱严赖覃洪武莫孔")
GIVEN = ("晓文明华建国丽芳伟强敏静磊军洋勇艳杰娟涛超秀霞平刚桂英玲辉鹏红宇婷雪慧琳凯浩亮峰颖倩佳欣"
         "俊斌志海燕春梅兰云飞林丹嘉雯瑞晨阳宁蕾萍波彬鑫楠帆琦悦思睿振新立永成荣德安晶蓉")
STREETS = ["人民路", "解放路", "新华路", "城东", "城西", "江滨", "湖滨", "河西", "花园", "望江",
           "凤凰", "白沙", "柳塘", "梅园", "桂花", "金山", "银湖", "龙泉", "石桥", "青石",
           "文昌", "建设路", "朝阳", "和平", "光明", "长安", "兴业", "滨河", "东风", "幸福"]
UNIT_KINDS = {
    "service": [("{d}供销合作社{s}门市部", "门市部党支部"), ("青川市公共交通集团{d}分公司", "营运党支部"),
                ("青川市邮政分公司{d}{s}营业部", "营业部党支部"), ("国网青川供电公司{d}{s}供电所", "供电所党支部"),
                ("青川市{d}{s}农贸市场管理处", "市场管理党支部")],
    "window": [("青川市{d}政务服务中心{s}分中心", "窗口服务党支部"), ("青川市自然资源和规划局{d}分局", "不动产登记中心党支部"),
               ("青川市公安局{d}分局{s}派出所", "户籍窗口党支部"), ("国家税务总局青川市{d}税务局{s}税务所", "办税服务厅党支部"),
               ("青川市人力资源和社会保障局{d}服务中心", "社保经办党支部"), ("青川市市场监督管理局{d}{s}所", "登记注册党支部"),
               ("青川市医疗保障局{d}经办中心", "医保经办党支部"), ("{d}{s}街道便民服务中心", "便民服务党支部")],
    "public": [("青川市自来水公司{d}{s}营业所", "营业所党支部"), ("青川市燃气集团{d}服务站", "客户服务党支部"),
               ("青川市图书馆{d}{s}分馆", "分馆党支部"), ("{d}环境卫生管理所{s}站", "环卫党支部"),
               ("青川市住房公积金中心{d}管理部", "管理部党支部")],
    "health": [("{d}人民医院", "门诊党支部"), ("{d}中医院", "医护党支部"), ("{d}疾病预防控制中心", "疾控党支部"),
               ("{d}{s}社区卫生服务中心", "社区卫生党支部"), ("{d}妇幼保健院", "妇幼保健党支部")],
    "education": [("{d}{s}实验小学", "教师党支部"), ("{d}第{n}中学", "教工党支部"), ("{d}{s}幼儿园", "幼儿园党支部"),
                  ("{d}职业技术学校", "教学党支部"), ("{d}教育局招生考试服务中心", "招考服务党支部")],
}
WINDOW_NAMES = {
    "window": ["不动产登记“一窗受理”窗口", "户籍办理窗口", "社保经办窗口", "医保结算窗口", "税费申报窗口",
               "企业开办窗口", "出入境办证窗口", "综合受理窗口", "营业执照办理窗口", "车驾管业务窗口",
               "“跨省通办”窗口", "咨询导办窗口", "证照发放窗口", "老年人绿色通道窗口"],
    "service": ["邮政储蓄营业窗口", "电费缴纳窗口", "公交卡办理窗口", "便民缴费窗口", "快递收寄窗口", "咨询导办窗口"],
    "public": ["水费缴纳窗口", "燃气报装窗口", "公积金提取窗口", "借还书服务窗口", "水电气报装窗口", "便民缴费窗口"],
    "health": ["挂号收费窗口", "出入院结算窗口", "医保结算窗口", "预防接种登记窗口", "药房发药窗口", "老年人绿色通道窗口"],
    "education": ["招生咨询窗口", "学籍办理窗口", "学生资助窗口"],
}
POST_NAMES = {
    "service": ["公交驾驶岗", "供电抢修岗", "邮件投递岗", "营业柜台岗", "客户服务岗", "市场巡查岗", "值班调度岗",
                "抄表收费岗", "线路巡检岗"],
    "window": ["业务审核岗", "12345 热线接听岗", "咨询引导岗", "执法巡查岗", "社区网格员岗", "档案查询岗", "帮办代办岗",
               "预约服务岗"],
    "public": ["管网维修岗", "燃气安检岗", "借阅服务岗", "道路保洁岗", "抄表收费岗", "客户服务岗", "水质检测岗"],
    "health": ["门诊导医岗", "急诊护理岗", "药房发药岗", "预防接种岗", "家庭医生签约岗", "病房护理岗", "120 急救岗"],
    "education": ["毕业班班主任岗", "招生咨询岗", "教学科研岗", "学生资助岗", "心理辅导岗", "后勤保障岗"],
}
POSITIONS = {
    "service": ["驾驶员", "抢修班班长", "投递员", "营业员", "客户经理", "值班长", "班组长", "技术员"],
    "window": ["综合受理员", "业务审核员", "窗口负责人", "导办员", "收件员", "发证员", "科长", "副科长", "首席代表",
               "网格员"],
    "public": ["维修工", "安检员", "馆员", "班组长", "客户经理", "收费员", "技术员", "检测员"],
    "health": ["护士长", "主治医师", "护士", "药剂师", "导医", "副主任医师", "收费员", "全科医生"],
    "education": ["教师", "班主任", "年级组长", "教研组长", "副校长", "心理教师"],
}
PLEDGE_A = ["多跑一步路", "一张笑脸迎群众", "今日事今日毕", "把群众当亲人", "一次告知", "用心服务",
            "岗位就是责任", "说好每一句话", "宁可自己多辛苦", "群众事无小事", "守好一扇窗", "小岗位也能有大作为",
            "把承诺写在岗位上", "急群众之所急", "干一行爱一行", "以心换心", "不让群众白跑", "让党徽在岗位上闪光"]
PLEDGE_B = ["让群众少跑一趟", "一颗真心办实事", "件件有着落", "把窗口当家门", "一次办好", "用情解忧",
            "服务就是承诺", "办好每一件事", "不让群众多跑腿", "事事有回音", "暖好万家心", "做群众的贴心人",
            "让群众满意而归", "想群众之所想", "钻一行精一行", "用真情赢民心", "处处当表率", "一个党员一面旗"]
STANDARD_ITEMS = [
    "当日受理的申请当日录入系统，不积压", "一次性告知所需材料，群众不跑第二趟", "对老年人、残疾人提供全程帮办",
    "佩戴党员徽章亮身份上岗，接受群众监督", "首问负责，不推诿、不扯皮", "限时办结，承诺时限内办结率 100%",
    "文明用语，不说“不知道”“不归我管”", "午间和周末预约服务随叫随到", "每月至少一次上门服务行动不便的群众",
    "意见簿上的意见三个工作日内回复", "投诉电话接到的问题当日登记、限期整改", "每季度讲一次微党课",
    "带好一名新同志，传帮带落到实处", "主动宣传惠民政策，耐心解答群众疑问", "廉洁自律，不吃拿卡要",
    "工作差错率为零，群众满意率 98% 以上", "抢修到达现场不超过 30 分钟", "每周开展一次业务学习",
    "推行“一窗受理、集成服务”，减少群众等候时间", "班前十分钟检查设备和资料，确保准时开窗",
    "坚持“马上办、网上办、就近办”", "对群众反映的问题建立台账，逐项销号", "每月参加一次志愿服务",
    "做好示范员、服务员、引导员、宣传员", "遇到急难险重任务党员带头上", "学习先进经验，每年提出一条改进建议"]
RECORD_TEXTS = [
    "{m} 月受理业务 {n} 件，办结率 100%，无群众二次跑腿。", "为 {k} 位行动不便的群众提供上门服务。",
    "参加支部主题党日，讲授微党课一次，题目是“把承诺写在岗位上”。", "收到群众表扬信 {k} 封、锦旗 {j} 面。",
    "对照标准自查，发现 {k} 处不足，已全部整改。", "牵头梳理办事指南 {k} 项，精简申请材料 {j} 份。",
    "延时服务 {k} 次，帮助群众办结急事。", "意见簿收到意见 {k} 条，均已在三个工作日内答复。",
    "{m} 月群众测评满意率 {p}%，比上月有所提高。", "带教新同志 {k} 名，均已能够独立上岗。",
    "参加“党员进社区”志愿服务 {k} 次，累计 {n} 小时。", "投诉电话转来问题 1 件，当日联系群众并解决。"]
ASSESS_REMARKS = ["群众满意度高，业务创新有待加强。", "服务态度好，办事效率高。", "示范带头作用明显，群众认可。",
                  "业务熟练，能主动为群众着想。", "需进一步加强政策学习。", "工作扎实，作风过硬。"]
HONOURS = ["青川市优秀共产党员", "青川市“岗位标兵”", "“服务之星”", "青川市三八红旗手", "青川市劳动模范",
           "青川市“最美窗口人”", "优秀党务工作者"]
EVAL_NOTES_PASS = ["群众测评满意率 {p}.{q}%", "意见簿收到表扬 {k} 条", "推行延时服务，群众好评",
                   "本月办结率 100%，无投诉", "开展上门服务 {k} 次", "收到锦旗 {k} 面"]
EVAL_NOTES_FAIL = ["群众反映排队时间长", "投诉电话接到投诉 {k} 件，整改中", "意见簿意见未及时回复",
                   "办结超时 {k} 件", "服务态度被群众投诉，已约谈", "示范作用发挥不够明显"]
EVAL_NOTES_COLLAPSE = ["发生群众实名投诉并经核实，作风问题整改不到位", "多项指标未达标，群众测评满意率低",
                       "岗位人员调整后未能正常运行"]
BOOK_PLACES = ["服务台左侧（意见簿）", "大厅入口导办台", "窗口台面右侧", "值班室门口", "一楼服务台",
               "公示榜下方意见箱旁", "候诊区护士站", "营业厅等候区"]

TAGS = ["窗口服务", "一次办好", "群众满意", "示范岗", "优质服务", "便民利民", "作风建设", "岗位建功",
        "先锋模范", "为民服务", "四员", "党员承诺", "延时服务", "志愿服务", "典型经验", "最多跑一次"]
TITLE_A = ["一张笑脸迎群众", "小窗口连着大民生", "星级背后的坚守", "把承诺写在岗位上", "三年零积压",
           "用心用情办好每件事", "让群众少跑腿", "党徽在岗位上闪光", "守好为民服务一扇窗", "一个党员一面旗",
           "从“能办”到“好办”", "意见簿里的“金点子”", "五颗星是怎样挂上的", "平凡岗位上的不平凡"]
TITLE_B = ["一次办好暖人心", "记{name}", "{unit}的示范岗故事", "{post}见闻", "群众口碑就是金杯",
           "一份承诺的三年", "示范岗上的{name}", "{post}创建纪实", "让先进性在岗位上看得见"]
HEADINGS = ["每天早到半小时", "把群众的事当成自己的事", "一张流程图，少跑一趟路", "窗口虽小，连着民心",
            "标准立起来，作风实起来", "群众评，组织定", "从“能办”到“好办”", "意见簿里的“金点子”",
            "延时服务不打烊", "党员带头，示范引领", "小窗口里的大担当", "星级背后的坚持", "带出一支好队伍",
            "难事急事马上办", "做群众的贴心人", "四员同岗，各尽其责"]
AUTHORS = ["市委宣传部 张宣", "市先教办 王静", "青川日报记者 陈晨", "{d}委宣传部 李明", "{d}融媒体中心 刘洋",
           "市委组织部 赵敏", "青川电视台 孙悦"]

# sentence templates of story bodies; {n} name, {p} post, {u} unit, {k} {j} numbers
OPENERS = [
    "走进{u}，{p}前总是排着不长的队，{n}正在耐心地为群众讲解办事流程。",
    "“有事找党员”，这是{u}很多群众挂在嘴边的一句话。",
    "清晨七点半，{n}已经到了岗位，把当天要用的表格和资料一一摆好。",
    "在{u}，{p}是群众公认的“暖心窗口”。",
    "自从{p}挂上“星级党员示范岗”的牌子，{n}就给自己定下了更高的标准。",
]
SENTENCES = [
    "{n}说：“群众来一趟不容易，能当场办的绝不让他们跑第二趟。”",
    "这些年，{p}累计办理各类业务 {cases} 件，没有出现一起有效投诉。",
    "面对群众的疑问，{n}总是一遍又一遍地解释，直到对方完全明白为止。",
    "为了减少群众等候时间，{n}和同事们把办事流程从 {steps_from} 个环节压缩到 {steps_to} 个。",
    "每个月，{p}都要对照公示的岗位标准进行一次自查，把问题写进对标记录卡。",
    "群众在意见簿上留下的每一条意见，都会在三个工作日内得到回复。",
    "遇到行动不便的老人，{n}会主动上门，把服务送到群众身边。",
    "支部把“党员提标准、群众议标准、组织定标准”落到实处，让每一条承诺都看得见、摸得着。",
    "一月一考评，群众测评的分数就是最好的镜子。",
    "{n}常说，党徽戴在胸前，责任就扛在肩上。",
    "在{u}，党员示范岗的公示榜上写着每位党员的姓名、职务和承诺。",
    "有一次，一位外地群众材料不全，{n}利用午休时间帮他联系原单位补齐了证明。",
    "去年以来，{p}推出预约服务和延时服务 {times} 次，方便了上班族办事。",
    "同事们说，跟着{n}干，心里踏实，劲头也足。",
    "支部书记介绍，示范岗的经验已经在全系统推广。",
    "从第一颗星到第五颗星，{p}用了整整 {months} 个月。",
    "群众测评满意率连续 {months} 个月保持在 98% 以上。",
    "{n}把常见问题整理成一本小册子，放在岗位上供群众取阅。",
    "每逢节假日前夕，{p}都会提前公布值班安排，确保群众办事不断档。",
    "“示范员、服务员、引导员、宣传员”，{n}把“四员”要求融入了每天的工作。",
    "有群众专门送来锦旗，上面写着“为民办事，一心为公”。",
    "面对新业务、新系统，{n}带头学习，很快成为业务骨干。",
    "{n}还主动带教新同志，手把手传授工作经验。",
    "{n}坚持每天下班前把当天的工作台账整理清楚，做到日清日结。",
    "遇到政策调整，{p}第一时间把变化讲给群众听，避免群众走弯路。",
    "在防汛抢险等急难险重任务面前，{n}总是冲在前面。",
    "对于群众反映的问题，支部建立台账，逐项整改，逐项销号。",
    "这份坚持，换来的是群众实实在在的认可。",
    "今年以来，{u}共收到群众表扬信 {letters} 封。",
    "扫一扫创建牌上的二维码，群众就能看到这个岗位当月的星级和考评情况。",
    "刚挂牌时，也有人担心标准定得太高做不到。",
    "{n}的回答很朴实：“承诺写上了墙，就得一条一条做到。”",
    "群众提出的意见，{n}都认真记在本子上，一条一条对照改进。",
    "为了让群众办事更明白，{p}把办事指南做成了图文并茂的“明白纸”。",
    "一位老大爷拉着{n}的手说：“你们党员就是不一样。”",
    "每周一的班前会上，{n}都会把上周群众的意见念给大家听。",
    "周末和午间，{p}也安排党员轮流值守，群众随时来随时办。",
    "督导组在考评中发现，{p}的群众测评分数一直名列前茅。",
    "{n}把自己的岗位承诺抄在工作笔记的第一页，时时提醒自己。",
    "在{n}的带动下，身边的同事也主动提出了自己的岗位标准。",
    "为了把服务延伸到基层，{p}每月组织一次“党员进社区”活动。",
    "三年来，{n}累计参加志愿服务 {times} 小时。",
    "有人问{n}累不累，{n}笑着说：“看到群众满意，就不觉得累。”",
    "支部还把群众的评价纳入党员的达标评议，作为评先评优的重要依据。",
    "在年底复评中，{p}以优异成绩保住了五星。",
    "对照“先于群众、高于群众、优于群众”的要求，{n}处处严格要求自己。",
    "遇到群众情绪激动，{n}总是先倒一杯水，再耐心听完诉求。",
    "{u}把示范岗的做法写进了服务规范，让好经验变成好制度。",
    "群众办事从“最多跑一次”到“一次也不用跑”，背后是党员们一次次的流程再造。",
    "“群众有事情找党员、群众有困难找党员”，在这里已经成为一种习惯。",
]
BOLD_PHRASES = ["一次办好", "群众满意", "马上就办", "首问负责", "限时办结", "零积压", "把群众当亲人",
                "党员带头", "说到做到", "服务零距离"]
LIST_ITEMS = [
    "提前十分钟开窗，推迟十分钟下班", "材料不全时一次性告知，并提供材料清单", "对老年人、残疾人开设绿色通道",
    "每月一次对照岗位标准自查", "意见簿每天查看，意见限时答复", "推行预约服务和延时服务",
    "把常见问题做成明白纸，放在窗口供群众取阅", "新同志上岗前由党员一对一带教",
    "每季度开展一次群众满意度回访", "重要政策变化第一时间向群众宣传解读", "投诉电话专人接听，当日登记",
    "难办的事由党员牵头跟踪到底", "利用午休时间为上班族办理业务", "主动上门为行动不便的群众服务",
    "公示栏里亮出承诺、标准和星级", "每月在支部会上通报考评结果"]
STEPS = [
    "党员对照岗位实际，自己提出岗位先进性标准", "标准在服务大厅公示，群众通过意见簿和投诉电话提意见",
    "支部综合群众意见，确定最终标准并上墙公示", "每月由督导组会同支部进行一月一考评",
    "考评合格的挂星、加星，不合格的减星直至摘牌", "年底复评，满五星的岗位授牌命名",
    "把好的做法整理成工作规范，在全系统推广", "每季度召开一次群众代表座谈会"]
COVER_ALTS = ["示范窗口工作人员为群众讲解材料", "党员示范岗公示榜前的群众", "党员佩戴党员徽章上岗服务",
              "服务大厅里的党员示范窗口", "志愿服务现场", "支部党员开展主题党日活动"]

IMAGE_MEMBERS = 8
IMAGE_STORIES = 6


# ---------------------------------------------------------------------------------------------
# Helpers

def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def month_label(index: int) -> str:
    y, m = divmod(FIRST_MONTH[0] * 12 + FIRST_MONTH[1] - 1 + index, 12)
    return f"{y}-{m + 1:02d}"


def month_start(index: int) -> dt.date:
    y, m = divmod(FIRST_MONTH[0] * 12 + FIRST_MONTH[1] - 1 + index, 12)
    return dt.date(y, m + 1, 1)


def month_end(index: int) -> dt.date:
    return month_start(index + 1) - dt.timedelta(days=1)


def month_index(day: dt.date) -> int:
    return (day.year - FIRST_MONTH[0]) * 12 + day.month - FIRST_MONTH[1]


def chinese_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


# ---------------------------------------------------------------------------------------------
# Images: a handful of small JPEGs, shared by everyone

def _images(rng: random.Random) -> dict[str, bytes]:
    try:
        from PIL import Image, ImageDraw
    except ImportError as exc:  # Pillow is a dependency of the project
        raise SystemExit("generate.py needs Pillow (pip install Pillow)") from exc
    out: dict[str, bytes] = {}
    for i in range(1, IMAGE_MEMBERS + 1):
        bg = (rng.randrange(150, 230), rng.randrange(150, 230), rng.randrange(170, 240))
        img = Image.new("RGB", (360, 480), bg)
        d = ImageDraw.Draw(img)
        for y in range(0, 480, 8):  # a soft vertical gradient
            shade = tuple(max(0, c - y // 12) for c in bg)
            d.rectangle([0, y, 359, y + 7], fill=shade)
        skin = (rng.randrange(200, 240), rng.randrange(160, 200), rng.randrange(130, 170))
        shirt = rng.choice([(40, 60, 120), (200, 200, 205), (30, 30, 35), (180, 30, 40)])
        d.ellipse([115, 90, 245, 240], fill=skin)
        d.ellipse([105, 70, 255, 160], fill=(30, 25, 20))
        d.rectangle([115, 130, 245, 170], fill=skin)
        d.ellipse([50, 260, 310, 560], fill=shirt)
        d.ellipse([215, 320, 235, 340], fill=(210, 20, 20))  # the party badge
        buf = io.BytesIO()
        exif = None
        if i == 1:  # one photo straight from a phone: GPS position and camera in EXIF
            exif = Image.Exif()
            exif[0x010F] = "DemoPhone"
            exif[0x0110] = "DP-1"
            exif[0x0132] = "2023:02:20 09:30:00"
            exif[0x8825] = {1: "N", 2: (30.0, 15.0, 36.0), 3: "E", 4: (120.0, 9.0, 18.0)}
        img.save(buf, "JPEG", quality=80, **({"exif": exif} if exif is not None else {}))
        out[f"images/members/avatar-{i:02d}.jpg"] = buf.getvalue()
    for i in range(1, IMAGE_STORIES + 1):
        img = Image.new("RGB", (960, 640), (200, 220, 240))
        d = ImageDraw.Draw(img)
        top = (rng.randrange(120, 200), rng.randrange(160, 220), rng.randrange(200, 250))
        for y in range(0, 640, 8):
            f = y / 640
            d.rectangle([0, y, 959, y + 7], fill=tuple(int(c * (1 - 0.4 * f)) for c in top))
        d.rectangle([0, 420, 959, 639], fill=(rng.randrange(150, 200),) * 3)
        for x in range(40, 940, 150):  # windows of a service hall
            h = rng.randrange(150, 260)
            d.rectangle([x, 420 - h, x + 110, 420], fill=(235, 235, 230), outline=(120, 120, 120), width=3)
            d.rectangle([x + 15, 440 - h, x + 95, 470 - h], fill=(190, 30, 35))
        for _ in range(5):  # people
            x = rng.randrange(40, 900)
            d.ellipse([x, 430, x + 36, 466], fill=(60, 45, 35))
            d.rectangle([x - 6, 466, x + 42, 560], fill=rng.choice([(40, 60, 120), (90, 90, 95), (150, 40, 50)]))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=75)
        out[f"images/stories/photo-{i:02d}.jpg"] = buf.getvalue()
    return out


OWN_PHOTO = (600, 800)  # --own-photos: a member's photo as staff upload it after cropping (~100 KB)


def _own_photo(rng: random.Random) -> bytes:
    """A member's own photo (``--own-photos``): a portrait like the shared avatars, different for each member,
    with some texture, so that it is as costly to read, check and resize as a real one."""
    from PIL import Image, ImageDraw
    w, h = OWN_PHOTO
    bg = (rng.randrange(120, 240), rng.randrange(120, 240), rng.randrange(120, 240))
    img = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(img)
    for y in range(0, h, 8):
        d.rectangle([0, y, w - 1, y + 7], fill=tuple(max(0, c - y // 14) for c in bg))
    for _ in range(60):  # texture: a wall, a window, clothes
        x, y = rng.randrange(w), rng.randrange(h)
        d.rectangle([x, y, x + rng.randrange(4, 60), y + rng.randrange(4, 60)],
                    fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    skin = (rng.randrange(200, 240), rng.randrange(160, 200), rng.randrange(130, 170))
    d.ellipse([w * 0.32, h * 0.19, w * 0.68, h * 0.5], fill=skin)
    d.ellipse([w * 0.29, h * 0.15, w * 0.71, h * 0.33], fill=(30, 25, 20))
    d.ellipse([w * 0.14, h * 0.54, w * 0.86, h * 1.2], fill=rng.choice([(40, 60, 120), (200, 200, 205), (30, 30, 35)]))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# The generator

class _Post:
    __slots__ = ("id", "unit", "kind", "name", "approval", "declared", "members", "profile", "trigger",
                 "start", "stars", "fails", "revoked_month")

    def __init__(self, pid: str):
        self.id = pid
        self.members: list[tuple[str, bool]] = []  # (member id, consent.public)
        self.approval: dt.date | None = None
        self.revoked_month: int | None = None


def _units(rng: random.Random, count: int) -> tuple[list[str], list[tuple[str, bool, str]]]:
    """Unit files and (id, service_hall, sector)."""
    files, info, used = [], [], set()
    for i in range(1, count + 1):
        uid = f"u{i:04d}"
        hall = i % 2 == 1  # u0001 always has a hall, so every site can have windows
        sector = "window" if hall and rng.random() < 0.6 else rng.choice(SECTORS)[0]
        if hall and sector not in ("window", "service", "public", "health"):
            sector = "window"
        di = rng.randrange(len(DISTRICTS))
        dname = DISTRICTS[di]
        for attempt in range(20):
            template, branch = rng.choice(UNIT_KINDS[sector])
            name = template.format(d=dname, s=rng.choice(STREETS), n=rng.randint(1, 30))
            if name not in used:
                break
        else:
            name = f"{name}（{i}）"
        used.add(name)
        street = rng.choice(STREETS)
        street += "" if street.endswith("路") else "路"
        lines = [
            f"name: {q(name)}",
            f"branch: {q(branch)}",
            f"district: {DISTRICT_IDS[di]}",
            f"sector: {sector}",
            f"address: {q(f'青川市{dname}{street}{rng.randint(1, 399)}号')}",
            f"service_hall: {'true' if hall else 'false'}",
        ]
        if rng.random() < 0.4:
            lines.append(f"website: {q(f'https://{uid}.qingchuan.example.cn/')}")
        files.append("\n".join(lines) + "\n")
        info.append((uid, hall, sector))
    return files, info


def _approval_batches(rng: random.Random) -> list[tuple[dt.date, str]]:
    """About 18 approval batches spread over 2023-01 .. 2023-06 with numbers 青先教办〔2023〕N号."""
    days = sorted(rng.sample(range(9, 180), 18))
    start = dt.date(2023, 1, 1)
    return [(start + dt.timedelta(days=d), f"青先教办〔2023〕{k + 1}号") for k, d in enumerate(days)]


PROFILE_BLOCK = ["steady"] * 13 + ["volatile"] * 3 + ["struggling"] * 2 + ["decline", "collapse"]
PASS_PROB = {"steady": 0.93, "volatile": 0.72, "struggling": 0.45, "decline": 0.93, "collapse": 0.93}


def _scores(rng: random.Random, target: str) -> tuple[list[int], int]:
    """12 integer scores (self, public, organisation × 4 dimensions) and T20 = 20 × total.

    total = Σ source weight × Σ 0.25 × score = (self + 2·public + 2·organisation) / 20 with the
    weights of site.yaml; targets keep at least half a point away from pass_mark and revoke.below.
    """
    r = rng.random
    if target == "pass":
        lo, hi, base, spread = 1710, 2000, 87 + int(r() * 11), 6
    elif target == "fail":
        lo, hi, base, spread = 1210, 1690, 64 + int(r() * 18), 8
    else:  # collapse: below 60
        lo, hi, base, spread = 0, 1180, 40 + int(r() * 15), 8
    width = 2 * spread + 1
    while True:
        s = [min(100, max(0, base + int(r() * width) - spread)) for _ in range(12)]
        t20 = sum(s[0:4]) + 2 * sum(s[4:12])
        if lo <= t20 <= hi:
            return s, t20
        base += 1 if t20 < lo else -1


def generate(posts: int, out: Path, seed: int = 1, force: bool = False, own_photos: bool = False) -> dict[str, int]:
    """Write ``out/content/`` for ``posts`` approved posts; returns counts of what was written.

    Refuses (FileExistsError) when ``out`` exists and is not empty, unless ``force`` is true,
    in which case only ``out/content`` is replaced. ``own_photos``: each member with a photo has a photo of
    their own (``images/members/<id>.jpg``, :data:`OWN_PHOTO` pixels) instead of one of a few shared avatars,
    as in a real city; the rest of the content is the same.
    """
    if posts < 1:
        raise ValueError("posts must be at least 1")
    out = Path(out)
    if out.exists():
        if not out.is_dir():
            raise FileExistsError(f"{out} exists and is not a folder")
        if any(out.iterdir()):
            if not force:
                raise FileExistsError(f"{out} is not empty (use --force to replace {out / 'content'})")
            if (out / "content").is_symlink() or (out / "content").is_file():
                (out / "content").unlink()
            elif (out / "content").exists():
                shutil.rmtree(out / "content")
    content = out / "content"
    for sub in ("units", "posts", "members", "evaluations", "stories", "images/members", "images/stories"):
        os.makedirs(content / sub, exist_ok=True)
    root = str(content)

    def section(name: str) -> random.Random:
        return random.Random(f"{seed}/{name}")

    counts = {"units": 0, "posts": 0, "declared_posts": 0, "members": 0, "evaluations": 0, "stories": 0,
              "images": 0, "revoked": 0}

    # -- site.yaml and images
    write(f"{root}/site.yaml", SITE_YAML.format(
        districts="".join(f"  {i}: {q(n)}\n" for i, n in zip(DISTRICT_IDS, DISTRICTS)),
        sectors="".join(f"  {i}: {q(n)}\n" for i, n in SECTORS)))
    for rel, data in sorted(_images(section("images")).items()):
        with open(f"{root}/{rel}", "wb") as f:
            f.write(data)
        counts["images"] += 1
    member_photos = [f"images/members/avatar-{i:02d}.jpg" for i in range(1, IMAGE_MEMBERS + 1)]
    story_photos = [f"images/stories/photo-{i:02d}.jpg" for i in range(1, IMAGE_STORIES + 1)]

    # -- units
    rng = section("units")
    unit_files, unit_info = _units(rng, max(1, posts // 10))
    for (uid, _, _), text in zip(unit_info, unit_files):
        write(f"{root}/units/{uid}.yaml", text)
    counts["units"] = len(unit_files)
    unit_names = {}
    for (uid, _, _), text in zip(unit_info, unit_files):
        unit_names[uid] = json.loads(text.split("\n", 1)[0][len("name: "):])
    hall_units = [u for u, hall, _ in unit_info if hall]
    unit_sector = {u: sector for u, _, sector in unit_info}
    all_units = [u for u, _, _ in unit_info]

    # -- posts
    rng = section("posts")
    batches = _approval_batches(rng)
    declared_only = max(1, round(posts / 100))
    total_posts = posts + declared_only
    width = max(6, len(str(total_posts)))
    unit_cycle = all_units[:]
    rng.shuffle(unit_cycle)
    hall_cycle = hall_units[:]
    rng.shuffle(hall_cycle)
    post_list: list[_Post] = []
    profiles: list[str] = []
    for i in range(1, total_posts + 1):
        p = _Post(f"p{i:0{width}d}")
        approved = i <= posts
        window = rng.random() < 0.25
        if window:
            p.unit = hall_cycle[i % len(hall_cycle)]
            p.kind = "window"
            p.name = rng.choice(WINDOW_NAMES[unit_sector[p.unit]])
            if rng.random() < 0.5:
                p.name += f"（{rng.randint(1, 30)}号）"
        else:
            p.unit = unit_cycle[i % len(unit_cycle)]
            p.kind = "post"
            p.name = rng.choice(POST_NAMES[unit_sector[p.unit]])
        if approved:
            date, number = rng.choice(batches)
            p.approval = date
            p.declared = date - dt.timedelta(days=rng.randint(4, 25))
        else:
            p.declared = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(30, 170))
            number = ""
        lines = [f"name: {q(p.name)}", f"kind: {p.kind}", f"unit: {p.unit}"]
        if rng.random() < 0.8:
            where = f"服务大厅{rng.randint(1, 3)}楼 {rng.randint(1, 40)} 号窗口" if p.kind == "window" else \
                f"{rng.choice(['一楼', '二楼', '三楼', '门诊楼', '营业厅', '值班室'])}{rng.choice(['东侧', '西侧', '南区', '北区'])}"
            lines.append(f"location: {q(where)}")
        if rng.random() < 0.6:
            lines.append(f"description: {q(f'负责{p.name.split(chr(65288))[0]}的各项工作，推行“{rng.choice(BOLD_PHRASES)}”，接受群众监督。')}")
        lines.append(f"declared: {p.declared.isoformat()}")
        if approved:
            lines += ["approval:", f"  date: {p.approval.isoformat()}", f"  number: {q(number)}"]
        lines += ["feedback:", f"  book: {q(rng.choice(BOOK_PLACES))}",
                  f"  phone: {q(f'0571-8{rng.randint(6000000, 6999999)}')}"]
        if rng.random() < 0.5:
            lines.append(f"  form: {q(f'https://www.qingchuan.example.cn/hudong/?post={p.id}')}")
        if rng.random() < 0.3:
            lines.append(f"  email: {q(f'ts{rng.randint(100, 999)}@{p.unit}.qingchuan.example.cn')}")
        write(f"{root}/posts/{p.id}.yaml", "\n".join(lines) + "\n")
        post_list.append(p)
    counts["posts"], counts["declared_posts"] = posts, declared_only
    approved_posts = post_list[:posts]
    # behaviour in the monthly evaluation: blocks of 20 posts, shuffled, so even a tiny site has a mix;
    # every other block has no post that will be revoked (about 5 % revoked overall)
    for start in range(0, posts, len(PROFILE_BLOCK)):
        block = PROFILE_BLOCK[:] if start // len(PROFILE_BLOCK) % 2 == 0 else \
            PROFILE_BLOCK[:-2] + ["volatile", "steady"]
        rng.shuffle(block)
        profiles += block
    for p, profile in zip(approved_posts, profiles):
        p.profile = profile
        p.start = month_index(p.approval)
        p.trigger = rng.randint(p.start + 4, MONTHS - 3)  # month a decline/collapse begins
        p.stars, p.fails = 0, 0

    # -- members
    rng = section("members")
    photo_rng = section("own-photos")  # (apart: the members' own draws are those of a corpus without own photos)
    member_names: dict[str, str] = {}
    for p in post_list:
        for k in range(1, MEMBERS_PER_POST + 1):
            mid = f"m{p.id[1:]}-{k}"
            public = rng.random() < 0.98
            photo_ok = public and rng.random() < 0.714
            p.members.append((mid, public))
            new = rng.random() < 0.02  # joined late: standard still open for comment
            if new:
                proposed = dt.date(2025, 9, 1) + dt.timedelta(days=rng.randint(0, 54))
            else:
                proposed = p.declared - dt.timedelta(days=rng.randint(0, 6))
            consent_date = proposed - dt.timedelta(days=rng.randint(0, 5))
            comment_from = proposed + dt.timedelta(days=rng.randint(3, 8))
            name = chinese_name(rng)
            member_names[mid] = name
            lines = [
                f"name: {q(name)}",
                f"post: {p.id}",
                f"position: {q(rng.choice(POSITIONS[unit_sector[p.unit]]))}",
                f"order: {k}",
                "consent:",
                f"  public: {'true' if public else 'false'}",
                f"  photo: {'true' if photo_ok else 'false'}",
                f"  date: {consent_date.isoformat()}",
            ]
            if photo_ok or rng.random() < 0.1:
                photo = rng.choice(member_photos)
                if own_photos:
                    photo = f"images/members/{mid}.jpg"
                    with open(f"{root}/{photo}", "wb") as f:
                        f.write(_own_photo(photo_rng))
                    counts["images"] += 1
                lines.append(f"photo: {photo}")
            a, b = rng.choice(PLEDGE_A), rng.choice(PLEDGE_B)
            lines.append(f"pledge: {q(f'{a}，{b}')}")
            if rng.random() < 0.6:
                roles = [r for r in ("demonstrator", "server", "guide", "advocate") if rng.random() < 0.6] or ["server"]
                lines.append(f"roles: [{', '.join(roles)}]")
            lines += ["standard:", "  items:"]
            lines += [f"    - {q(item)}" for item in rng.sample(STANDARD_ITEMS, rng.randint(3, 6))]
            lines += [f"  proposed: {proposed.isoformat()}", f"  comment_from: {comment_from.isoformat()}"]
            if not new:
                until = comment_from + dt.timedelta(days=rng.randint(7, 15))
                if rng.random() < 0.7:
                    lines.append(f"  comment_until: {until.isoformat()}")
                standard_set = until + dt.timedelta(days=rng.randint(1, 7))
                lines.append(f"  set: {standard_set.isoformat()}")
            # records: month ends from the later of approval and the standard, 2–4 of them
            first = max(month_index(p.approval or p.declared), month_index(proposed))
            months = range(first, MONTHS)
            picks = sorted(rng.sample(months, min(len(months), rng.randint(2, 4))))
            lines.append("records:")
            for mi in picks:
                text = rng.choice(RECORD_TEXTS).format(
                    m=month_start(mi).month, n=rng.randint(80, 600), k=rng.randint(2, 12),
                    j=rng.randint(1, 4), p=f"{rng.randint(96, 99)}.{rng.randint(0, 9)}")
                lines += [f"  - date: {month_end(mi).isoformat()}", f"    text: {q(text)}"]
                if rng.random() < 0.1:
                    lines.append("    public: false")
            # one assessment: a half year ending after the first record
            half = rng.choice([h for h in range(6) if (h + 1) * 6 - 1 >= picks[0]])
            year, part = 2023 + half // 2, half % 2
            grades = [rng.choices(("excellent", "good", "pass", "fail"), (55, 35, 8, 2))[0] for _ in range(3)]
            period = f"{year} 年{'下' if part else '上'}半年"
            lines += [
                "assessments:",
                f"  - period: {q(period)}",
                f"    date: {dt.date(year, 6 if part == 0 else 12, 30 if part == 0 else 31).isoformat()}",
                f"    self: {grades[0]}",
                f"    public: {grades[1]}",
                f"    organisation: {grades[2]}",
                f"    result: {'not_met' if 'fail' in grades else 'met'}",
            ]
            if rng.random() < 0.3:
                lines.append(f"    remarks: {q(rng.choice(ASSESS_REMARKS))}")
            if rng.random() < 0.03 and not new:
                when = dt.date(rng.choice((2023, 2024, 2025)), 12, rng.randint(20, 30))
                title = rng.choice(HONOURS)
                if title.startswith("“"):
                    title = unit_names[p.unit][:12] + title
                lines += ["honours:", f"  - date: {when.isoformat()}", f"    title: {q(title)}"]
            write(f"{root}/members/{mid}.yaml", "\n".join(lines) + "\n")
            counts["members"] += 1

    # -- evaluations: month by month, replaying the star rules so that revoked posts stop
    rng = section("evaluations")
    r = rng.random
    by_start: dict[int, list[_Post]] = {}
    for p in approved_posts:
        by_start.setdefault(p.start, []).append(p)
    active: list[_Post] = []
    for mi in range(MONTHS):
        active += by_start.get(mi, [])
        active.sort(key=lambda p: p.id)
        nxt = month_start(mi + 1)
        parts = [f"month: {month_label(mi)}\n",
                 f"evaluated_on: {(nxt + dt.timedelta(days=2 + int(r() * 6))).isoformat()}\n",
                 f"by: {q('市先教办督导组')}\n", "posts:\n"]
        still = []
        for p in active:
            prof = p.profile
            if prof == "collapse" and mi == p.trigger:
                target = "collapse"
            elif prof == "decline" and mi >= p.trigger:
                target = "fail"
            elif p.stars == 0 or p.fails == CONSECUTIVE_FAILURES - 1:
                target = "pass"  # the behaved profiles never lose the plaque by accident
            else:
                target = "pass" if r() < PASS_PROB[prof] else "fail"
            s, t20 = _scores(rng, target)
            parts.append(
                f"  {p.id}:\n"
                f"    self: {{politics: {s[0]}, performance: {s[1]}, service: {s[2]}, exemplary: {s[3]}}}\n"
                f"    public: {{politics: {s[4]}, performance: {s[5]}, service: {s[6]}, exemplary: {s[7]}}}\n"
                f"    organisation: {{politics: {s[8]}, performance: {s[9]}, service: {s[10]}, exemplary: {s[11]}}}\n")
            revoked = False
            if t20 >= PASS_T20:
                p.stars, p.fails = min(5, p.stars + 1), 0
                if r() < 0.04:
                    note = rng.choice(EVAL_NOTES_PASS).format(p=rng.randint(96, 99), q=rng.randint(0, 9),
                                                              k=rng.randint(2, 9))
                    parts.append(f"    note: {q(note)}\n")
            else:
                p.fails += 1
                if t20 < REVOKE_T20 or p.fails >= CONSECUTIVE_FAILURES or p.stars == 0:
                    revoked = True
                else:
                    p.stars -= 1
                if t20 < REVOKE_T20:
                    parts.append(f"    note: {q(rng.choice(EVAL_NOTES_COLLAPSE))}\n")
                elif r() < 0.5:
                    parts.append(f"    note: {q(rng.choice(EVAL_NOTES_FAIL).format(k=rng.randint(1, 4)))}\n")
            if revoked:
                p.revoked_month = mi
                counts["revoked"] += 1
            else:
                still.append(p)
        active = still
        if len(parts) == 4:
            parts[3] = "posts: {}\n"
        write(f"{root}/evaluations/{month_label(mi)}.yaml", "".join(parts))
        counts["evaluations"] += 1

    # -- stories
    rng = section("stories")
    n_stories = max(1, posts // 2)
    swidth = max(5, len(str(n_stories)))
    sids = [f"s{i:0{swidth}d}" for i in range(1, n_stories + 1)]
    titles = []
    plans = []
    for sid in sids:
        chosen = sorted(rng.sample(approved_posts, min(len(approved_posts), rng.randint(1, 2))), key=lambda p: p.id)
        names_pool = [m for p in chosen for m, public in p.members if public]
        if not names_pool:
            names_pool = [m for p in approved_posts for m, public in p.members if public][:1]
        members = sorted(rng.sample(names_pool, min(len(names_pool), rng.randint(1, 2))))
        plans.append((chosen, members))
        titles.append(None)
    for i, (chosen, members) in enumerate(plans):
        post0 = chosen[0]
        titles[i] = f"{rng.choice(TITLE_A)}——" + rng.choice(TITLE_B).format(
            name=member_names[members[0]], unit=unit_names[post0.unit], post=post0.name)
    for i, sid in enumerate(sids):
        chosen, members = plans[i]
        post0 = chosen[0]
        names = [member_names[m] for m in members]
        unit = unit_names[post0.unit]
        earliest = max(p.approval for p in chosen) + dt.timedelta(days=20)
        date = earliest + dt.timedelta(days=rng.randint(0, (LAST_DAY - earliest).days))
        kind = "experience" if rng.random() < 0.2 else "story"
        author = rng.choice(AUTHORS).format(d=DISTRICTS[rng.randrange(len(DISTRICTS))])
        tags = rng.sample(TAGS, rng.randint(1, 3))
        front = ["---", f"title: {q(titles[i])}", f"date: {date.isoformat()}", f"author: {q(author)}",
                 f"kind: {kind}", f"posts: [{', '.join(p.id for p in chosen)}]",
                 f"members: [{', '.join(members)}]", f"tags: [{', '.join(q(t) for t in tags)}]"]
        if rng.random() < 0.6:
            front += ["cover:", f"  file: {rng.choice(story_photos)}", f"  alt: {q(rng.choice(COVER_ALTS))}"]
        if rng.random() < 0.5:
            front.append(f"summary: {q(f'{names[0]}立足{post0.name}，把“{rng.choice(BOLD_PHRASES)}”的承诺落实在每一天。')}")
        front.append("---")

        deck: list[str] = []

        def sentence() -> str:
            nonlocal deck
            if not deck:
                deck = SENTENCES[:]
                rng.shuffle(deck)
            return deck.pop().format(
                n=rng.choice(names), p=post0.name, u=unit, cases=rng.randint(800, 12000),
                steps_from=rng.randint(8, 15), steps_to=rng.randint(2, 6), times=rng.randint(20, 400),
                months=rng.randint(5, 30), letters=rng.randint(5, 80))

        def paragraph(count: int) -> str:
            text = "".join(sentence() for _ in range(count))
            roll = rng.random()
            if roll < 0.35:
                text += f"大家都说，**{rng.choice(BOLD_PHRASES)}**不是一句口号。"
            elif roll < 0.5:  # bold ending in Chinese punctuation right before a Chinese character
                text += f"**{rng.choice(BOLD_PHRASES)}，**这是{rng.choice(names)}对群众的承诺。"
            return text

        # links: 1–3 of external / post file / another story
        link_kinds = rng.choice([["external"], ["post"], ["external", "post"], ["external", "story"],
                                 ["external", "post", "story"]])
        if n_stories == 1:
            link_kinds = [k for k in link_kinds if k != "story"] or ["external"]
        links = []
        for lk in link_kinds:
            if lk == "external":
                links.append(f"更多情况可以查看[青川市先进性教育活动专题网站](https://www.qingchuan.example.cn/xianjiao/"
                             f"{date.year}/{date.month:02d}/{rng.randint(100, 999)}.html)。")
            elif lk == "post":
                target = rng.choice(chosen)
                links.append(f"岗位的星级和考评记录见[{target.name}](../posts/{target.id}.yaml)。")
            else:
                j = (i + 1 + rng.randrange(n_stories - 1)) % n_stories
                links.append(f"另见[相关报道：{titles[j]}]({sids[j]}.md)。")
        body = ["", rng.choice(OPENERS).format(n=names[0], p=post0.name, u=unit) + paragraph(3), ""]
        length = len(body[1])
        headings = rng.sample(HEADINGS, len(HEADINGS))
        section_no = 0
        image_done = rng.random() < 0.7
        while length < 1700 or section_no < 3:
            h = headings[section_no % len(headings)]
            section_no += 1
            body += [f"## {h}", ""]
            para = paragraph(4 + int(rng.random() * 3))
            body += [para, ""]
            length += len(h) + len(para)
            if section_no == 1:
                items = rng.sample(LIST_ITEMS, rng.randint(3, 5))
                body += [f"- {it}" for it in items] + [""]
                length += sum(len(it) for it in items)
            elif section_no == 2:
                steps = sorted(rng.sample(STEPS, rng.randint(3, 4)), key=STEPS.index)
                body += [f"{k}. {st}" for k, st in enumerate(steps, 1)] + [""]
                length += sum(len(st) for st in steps)
                if not image_done:
                    body += [f"![{rng.choice(COVER_ALTS)}](../{rng.choice(story_photos)})", ""]
                    image_done = True
            elif section_no == 3:
                body += ["".join(links), ""]
                length += sum(len(x) for x in links)
        write(f"{root}/stories/{sid}.md", "\n".join(front) + "\n" + "\n".join(body))
        counts["stories"] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a deterministic benchmark site folder (content/).")
    parser.add_argument("--posts", type=int, required=True, help="number of approved posts (N)")
    parser.add_argument("-o", "--out", type=Path, required=True, help="site folder; content/ is written inside")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="replace DIR/content even if DIR is not empty")
    parser.add_argument("--own-photos", action="store_true",
                        help="a photo of their own for each member with one (as in a real city), not a few shared ones")
    args = parser.parse_args(argv)
    if args.posts < 1:
        parser.error("--posts must be at least 1")
    started = time.perf_counter()
    try:
        counts = generate(args.posts, args.out, args.seed, force=args.force, own_photos=args.own_photos)
    except FileExistsError as exc:
        print(f"generate.py: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    print(f"wrote {args.out / 'content'}: {summary} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
