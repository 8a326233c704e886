"""What the clerks and members read, in Chinese (the brand's language), as templates.

``callbacks`` fills them with ``str.format``; ``generation`` turns the same templates into SQL
string concatenation, so a reason reads the same whichever made it.
"""

FIRST_PURCHASE = "首次购买后第{days}天回访（首次购买：{first}），问问宝宝吃得习惯吗"
RUN_OUT = "预计{ends}用完（{estimate}），提醒及时补货"
LAPSED = "已于{ends}用完{days}天未再购买（{estimate}），回访了解原因"
ESTIMATE_LABEL = "按商品标注的每件可用天数估算，共{purchases}次购买"
ESTIMATE_OBSERVED = "按本人前{purchases}次购买的实际用量估算：标注可用{den}天的量实际用了{num}天"
MEMBER_BIRTHDAY = "{name}今天生日，送上祝福"
BABY_BIRTHDAY = "宝宝{name}今天{age}岁生日，送上祝福"
BIRTHDAY_GREETING = "亲爱的{name}，祝您生日快乐！"
BIRTHDAY_GIFT = "您的生日礼已备好，{days}天内可到门店领取。"
