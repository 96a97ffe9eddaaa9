"""The built-in message templates: one per care kind and locale (en, zh-Hans, zh-Hant, ko),
and a few per holiday (``holiday.<key>``) where a day is not wished "happy".

Plain data, validated by
[`accountcare.policies.care.templates.TemplateBook`][accountcare.policies.care.templates.TemplateBook]
like any user's templates. Korean texts avoid particles right after a placeholder (을/를, 이/가
depend on the last syllable of the name), so they read well for any name; a holiday's own
template may use one after its fixed name (삼일절을 맞아). A holiday greeting may arrive
on the day or a few days ahead, so none says the day is "approaching" (将至, 다가오는) nor
that it is today. No text names
the company outside ``${signature}`` and ``${sender}``, which read well without one.
Messages a rep acts on (a call, a visit, a gift, checking contact data) are written for
the rep, in the contact's language: a call script, or what to do and what to say.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["BUILTIN"]

# A gift on a day of remembrance: the card thanks, and wishes nothing "happy".
_EN_QUIET_GIFT = (
    "${occasion} gift for ${contact_name} (${account_name})",
    "Send ${contact_name} a small gift, to arrive around ${date}, with the card below.\n\n"
    "Preferences: ${preferences}\nHobbies: ${hobbies}\n\n"
    "Card:\n\nDear ${contact_name},\n\nPlease accept this small gift as a token of our "
    "appreciation for the trust you place in us.\n\nWarm regards,\n${signature}",
)
_ZH_HANS_QUIET_GIFT = (
    "为${contact_name}（${account_name}）准备礼物",
    "请为${contact_name}准备一份小礼物，于${date}前后送达，并附上下面的贺卡。\n\n"
    "偏好：${preferences}\n爱好：${hobbies}\n\n"
    "贺卡：\n\n尊敬的${contact_name}：\n\n感谢您一直以来的信任与支持，谨奉上一份小礼物，聊表谢意，"
    "敬请笑纳。\n\n${signature}",
)
_ZH_HANT_QUIET_GIFT = (
    "為${contact_name}（${account_name}）準備禮物",
    "請為${contact_name}準備一份小禮物，於${date}前後送達，並附上下方的賀卡。\n\n"
    "偏好：${preferences}\n嗜好：${hobbies}\n\n"
    "賀卡：\n\n親愛的${contact_name}您好：\n\n感謝您一直以來的信任與支持，謹奉上一份小禮物，"
    "聊表謝意，敬請笑納。\n\n${signature}",
)
_KO_QUIET_GIFT = (
    "선물 준비: ${contact_name}님 (${account_name})",
    "${contact_name}님께 작은 선물을 ${date} 무렵 도착하도록 보내고, 아래 카드를 동봉하세요.\n\n"
    "선호: ${preferences}\n취미: ${hobbies}\n\n"
    "카드:\n\n${contact_name}님, 안녕하세요.\n\n늘 보내주시는 신뢰에 감사의 마음을 담아 작은 "
    "선물을 준비했습니다. 기쁘게 받아 주시면 감사하겠습니다.\n\n${signature}",
)

_EN: Mapping[str, tuple[str, str]] = {
    "birthday": (
        "Happy birthday, ${contact_name}!",
        "Dear ${contact_name},\n\n"
        "Warmest wishes on your birthday from all of us. Thank you for the trust you and "
        "${account_short_name} place in us; may the year ahead bring you health, joy and "
        "success.\n\nBest regards,\n${signature}",
    ),
    "holiday_greeting": (
        "Wishing you a happy ${occasion}",
        "Dear ${contact_name},\n\n"
        "We wish you and your family a happy ${occasion}. Thank you for the pleasure of "
        "working with you and ${account_short_name}.\n\nWith best wishes,\n${signature}",
    ),
    "holiday.independence_movement_day": (
        "Remembering ${occasion}",
        "Dear ${contact_name},\n\n"
        "For ${occasion}, we join you in honouring those who gave so much for Korea's "
        "freedom. Thank you for the trust you and ${account_short_name} place in us.\n\n"
        "With warm regards,\n${signature}",
    ),
    "holiday.liberation_day": (
        "Remembering ${occasion}",
        "Dear ${contact_name},\n\n"
        "For ${occasion}, we join you in remembering Korea's liberation and those who made "
        "it possible. Thank you for the trust you and ${account_short_name} place in us.\n\n"
        "With warm regards,\n${signature}",
    ),
    "holiday.national_foundation_day": (
        "Best wishes on ${occasion}",
        "Dear ${contact_name},\n\n"
        "For ${occasion}, we send you our best wishes for a meaningful day. Thank you for the "
        "trust you and ${account_short_name} place in us.\n\nWith warm regards,\n${signature}",
    ),
    "holiday_gift": (
        "${occasion} gift for ${contact_name} (${account_name})",
        "Send ${contact_name} a small ${occasion} gift, to arrive around ${date}, with the card "
        "below.\n\nPreferences: ${preferences}\nHobbies: ${hobbies}\n\n"
        "Card:\n\nDear ${contact_name},\n\nWith our warmest wishes for a happy ${occasion}, "
        "please accept this small gift as a token of our appreciation.\n\nWarm regards,\n"
        "${signature}",
    ),
    "gift.independence_movement_day": _EN_QUIET_GIFT,
    "gift.liberation_day": _EN_QUIET_GIFT,
    "relationship_call": (
        "Call ${contact_name} (${account_name})",
        "Call script:\n\n"
        '"Hello ${contact_name}, this is ${sender}. It has been a while, and I wanted to hear '
        "how things are going at ${account_short_name} and whether there is anything we can "
        'do for you."\n\n'
        "Ask about: recent projects, how our products are serving them, upcoming plans.\n"
        "Preferences: ${preferences}\nHobbies: ${hobbies}\n\n"
        "After the call: note the outcome and the next step.",
    ),
    "after_sale_usage": (
        "How is everything working?",
        "Dear ${contact_name},\n\n"
        "It has been a little while since your order (${occasion}) reached you, and I wanted "
        "to check that everything is working well. If anything is unclear or not as expected, "
        "just reply to this message or call me directly.\n\nBest regards,\n${signature}",
    ),
    "after_sale_feedback": (
        "We would value your feedback",
        "Dear ${contact_name},\n\n"
        "Your opinion helps us improve. Could you spare a few minutes to tell us how your "
        "order (${occasion}) has worked out for ${account_short_name}?\n\n${link}\n\n"
        "Thank you,\n${signature}",
    ),
    "complaint_follow_up": (
        "Following up on the issue you raised",
        "Dear ${contact_name},\n\n"
        "Thank you for telling us about the issue you raised (${occasion}). I am following up "
        "personally to make sure it has been resolved to your satisfaction. If anything is "
        "still not right, please tell me and we will act on it straight away.\n\n"
        "Sincerely,\n${signature}",
    ),
    "survey": (
        "Your opinion matters: our annual customer survey",
        "Dear ${contact_name},\n\n"
        "Once a year we ask our key customers how we are doing. The survey takes about ten "
        "minutes, and every answer helps us serve ${account_short_name} better.\n\n${link}\n\n"
        "Thank you for your time,\n${signature}",
    ),
    "reverification": (
        "Check the contact details of ${contact_name} (${account_name})",
        "Ask ${contact_name} whether these details are still right: ${occasion}. Update the "
        "record with what you hear, and the day it was confirmed.\n\n"
        "You could say:\n\n"
        '"Hello ${contact_name}, this is ${sender}. So that we always reach you in the right '
        'place, may I check your ${occasion} with you?"',
    ),
    "event": (
        "${occasion}",
        "Dear ${contact_name},\n\n"
        "We would like to share some news with you: ${occasion}. You will find the details "
        "here:\n\n${link}\n\nIf you have any questions, I am happy to help.\n\n"
        "Best regards,\n${signature}",
    ),
    "pre_sale": (
        "Advice for ${account_short_name}",
        "Dear ${contact_name},\n\n"
        "Thank you for your interest. I would be glad to answer any questions you have and "
        "to suggest the option that best fits the needs of ${account_short_name}. Would a "
        "short call this week suit you? Just reply with a time that works, or call me "
        "directly.\n\nBest regards,\n${signature}",
    ),
    "contract_status": (
        "Your contract: payments and delivery",
        "Dear ${contact_name},\n\n"
        "I am writing to make sure everything about your contract is clear: payments and "
        "invoices, and the stock and delivery of what you ordered. If you have a question or "
        "would like a status update, reply to this message or call me, and I will look into "
        "it straight away.\n\nBest regards,\n${signature}",
    ),
    "reactivation": (
        "It has been a while, ${contact_name}",
        "Dear ${contact_name},\n\n"
        "It has been a while since we last worked together, and I wanted to get in touch. A "
        "good deal has changed on our side, and I would be glad to tell you what could be "
        "useful to ${account_short_name} now. Would you have time for a short conversation "
        "in the coming weeks?\n\nBest regards,\n${signature}",
    ),
    "win_back": (
        "Win back ${account_name}: call ${contact_name}",
        "Before the call: read why the account left and what has been put right since.\n"
        "Preferences: ${preferences}\nHobbies: ${hobbies}\n\n"
        "Call script:\n\n"
        '"Hello ${contact_name}, this is ${sender}. We took what went wrong between us '
        "seriously, and we have put it right. I would welcome the chance to show you what has "
        'changed, and to hear what it would take to work together again."\n\n'
        "After the call: note the outcome and the next step.",
    ),
}

_ZH_HANS: Mapping[str, tuple[str, str]] = {
    "birthday": (
        "${contact_name}，生日快乐！",
        "尊敬的${contact_name}：\n\n值此生日之际，我们向您致以最诚挚的祝福！感谢您和"
        "${account_short_name}一直以来的信任与支持，祝您身体健康、万事如意！\n\n${signature}",
    ),
    "holiday_greeting": (
        "祝您${occasion}快乐",
        "尊敬的${contact_name}：\n\n值此${occasion}之际，谨向您及家人致以节日的问候，祝您阖家幸福、"
        "万事顺意！感谢${account_short_name}一直以来的合作与支持。\n\n${signature}",
    ),
    "holiday.independence_movement_day": (
        "${occasion}敬致问候",
        "尊敬的${contact_name}：\n\n值此${occasion}之际，谨向您致以诚挚的问候，与您一同缅怀为韩国"
        "独立与自由献身的先烈。感谢${account_short_name}一直以来的信任与合作。\n\n${signature}",
    ),
    "holiday.liberation_day": (
        "${occasion}敬致问候",
        "尊敬的${contact_name}：\n\n值此${occasion}之际，谨向您致以诚挚的问候，与您一同铭记韩国"
        "光复的历史与为之奋斗的先辈。感谢${account_short_name}一直以来的信任与合作。\n\n"
        "${signature}",
    ),
    "holiday.national_foundation_day": (
        "${occasion}敬致问候",
        "尊敬的${contact_name}：\n\n值此${occasion}之际，谨向您致以诚挚的问候，祝您度过有意义的"
        "一天。感谢${account_short_name}一直以来的信任与合作。\n\n${signature}",
    ),
    "holiday_gift": (
        "为${contact_name}（${account_name}）准备${occasion}礼物",
        "请为${contact_name}准备一份${occasion}礼物，于${date}前后送达，并附上下面的贺卡。\n\n"
        "偏好：${preferences}\n爱好：${hobbies}\n\n"
        "贺卡：\n\n尊敬的${contact_name}：\n\n值此佳节，谨奉上一份小礼物，聊表谢意，"
        "敬请笑纳。祝您${occasion}快乐！\n\n${signature}",
    ),
    "gift.independence_movement_day": _ZH_HANS_QUIET_GIFT,
    "gift.liberation_day": _ZH_HANS_QUIET_GIFT,
    "relationship_call": (
        "回访电话：${contact_name}（${account_name}）",
        "通话话术：\n\n“${contact_name}您好，我是${sender}。好久没联系了，想问候一下您最近怎么样，"
        "也了解一下${account_short_name}目前的情况，看看有没有我们可以帮忙的地方。”\n\n"
        "可聊的话题：近期项目、产品使用情况、接下来的计划。\n"
        "偏好：${preferences}\n爱好：${hobbies}\n\n通话后：记录结果和下一步安排。",
    ),
    "after_sale_usage": (
        "使用情况回访",
        "尊敬的${contact_name}：\n\n您好！您订购的产品（${occasion}）已经使用一段时间了，想了解一下目前"
        "使用是否顺利。如有任何疑问或不便，请随时回复本消息或直接与我联系。\n\n${signature}",
    ),
    "after_sale_feedback": (
        "诚邀您分享使用感受",
        "尊敬的${contact_name}：\n\n我们非常重视您的意见。能否抽出几分钟，告诉我们您订购的产品"
        "（${occasion}）在${account_short_name}的使用感受？\n\n${link}\n\n谢谢您！\n\n${signature}",
    ),
    "complaint_follow_up": (
        "关于您反馈问题的跟进",
        "尊敬的${contact_name}：\n\n感谢您反馈的问题（${occasion}）。我想亲自跟进一下，确认问题是否已"
        "妥善解决。如仍有不满意之处，请直接告诉我，我们会尽快处理。\n\n${signature}",
    ),
    "survey": (
        "年度客户意见调查邀请",
        "尊敬的${contact_name}：\n\n我们每年都会请重要客户为我们的服务提出意见。调查约需十分钟，"
        "您的每一条意见都将帮助我们更好地服务${account_short_name}。\n\n${link}\n\n感谢您的支持！"
        "\n\n${signature}",
    ),
    "reverification": (
        "核实联系信息：${contact_name}（${account_name}）",
        "请向${contact_name}确认以下信息是否仍然正确：${occasion}。根据对方的答复更新记录，"
        "并记下确认的日期。\n\n可以这样说：\n\n“${contact_name}您好，我是${sender}。为确保能及时"
        "准确地与您联系，想跟您核对一下您的${occasion}，方便吗？”",
    ),
    "event": (
        "${occasion}",
        "尊敬的${contact_name}：\n\n我们有一则消息想与您分享：${occasion}。详情请见：\n\n${link}\n\n"
        "如有任何问题，欢迎随时与我联系。\n\n${signature}",
    ),
    "pre_sale": (
        "为${account_short_name}提供的专属建议",
        "尊敬的${contact_name}：\n\n感谢您的关注！如您有任何疑问，我很乐意为您解答，并根据"
        "${account_short_name}的实际需求推荐最合适的方案。本周方便安排一次简短的通话吗？请回复您"
        "方便的时间，或直接与我联系。\n\n${signature}",
    ),
    "contract_status": (
        "关于您的合同：付款与发货情况",
        "尊敬的${contact_name}：\n\n特此致函，希望您对合同的各项情况都清楚无疑：付款与发票，"
        "以及所订货品的库存与发货。如有任何疑问，或希望了解最新进展，请回复本消息或致电给我，"
        "我会立即为您核实。\n\n${signature}",
    ),
    "reactivation": (
        "${contact_name}，好久不见",
        "尊敬的${contact_name}：\n\n距离我们上次合作已经有一段时间了，特来问候。这段时间我们有了"
        "不少新变化，很想和您聊聊其中对${account_short_name}可能有帮助的内容。近期方便安排一次简短的"
        "交流吗？\n\n${signature}",
    ),
    "win_back": (
        "挽回客户${account_name}：致电${contact_name}",
        "通话前：查看该客户流失的原因，以及此后我们已做出的改进。\n"
        "偏好：${preferences}\n爱好：${hobbies}\n\n"
        "通话话术：\n\n“${contact_name}您好，我是${sender}。之前合作中出现的问题，我们非常重视，"
        "现已妥善改进。希望有机会向您介绍这些变化，也想听听您的想法：怎样才能让我们重新合作？”\n\n"
        "通话后：记录结果和下一步安排。",
    ),
}

_ZH_HANT: Mapping[str, tuple[str, str]] = {
    "birthday": (
        "${contact_name}，生日快樂！",
        "親愛的${contact_name}您好：\n\n值此生日之際，我們向您致上最誠摯的祝福！感謝您與"
        "${account_short_name}一直以來的信任與支持，敬祝身體健康、萬事如意！\n\n${signature}",
    ),
    "holiday_greeting": (
        "敬祝${occasion}愉快",
        "親愛的${contact_name}您好：\n\n值此${occasion}之際，謹向您及家人致上節日的問候，敬祝闔家平安、"
        "萬事順心！感謝${account_short_name}一直以來的合作與支持。\n\n${signature}",
    ),
    "holiday.independence_movement_day": (
        "${occasion}敬致問候",
        "親愛的${contact_name}您好：\n\n值此${occasion}之際，謹向您致上誠摯的問候，與您一同緬懷為"
        "韓國獨立與自由奉獻的先烈。感謝${account_short_name}一直以來的信任與合作。\n\n${signature}",
    ),
    "holiday.liberation_day": (
        "${occasion}敬致問候",
        "親愛的${contact_name}您好：\n\n值此${occasion}之際，謹向您致上誠摯的問候，與您一同銘記韓國"
        "光復的歷史與為之奮鬥的先輩。感謝${account_short_name}一直以來的信任與合作。\n\n"
        "${signature}",
    ),
    "holiday.national_foundation_day": (
        "${occasion}敬致問候",
        "親愛的${contact_name}您好：\n\n值此${occasion}之際，謹向您致上誠摯的問候，祝您度過有意義的"
        "一天。感謝${account_short_name}一直以來的信任與合作。\n\n${signature}",
    ),
    "holiday_gift": (
        "為${contact_name}（${account_name}）準備${occasion}禮物",
        "請為${contact_name}準備一份${occasion}禮物，於${date}前後送達，並附上下方的賀卡。\n\n"
        "偏好：${preferences}\n嗜好：${hobbies}\n\n"
        "賀卡：\n\n親愛的${contact_name}您好：\n\n值此佳節，謹奉上一份小禮物，聊表謝意，"
        "敬請笑納。敬祝${occasion}愉快！\n\n${signature}",
    ),
    "gift.independence_movement_day": _ZH_HANT_QUIET_GIFT,
    "gift.liberation_day": _ZH_HANT_QUIET_GIFT,
    "relationship_call": (
        "關懷來電：${contact_name}（${account_name}）",
        "通話腳本：\n\n「${contact_name}您好，我是${sender}。好久沒有聯絡了，想關心一下您最近好嗎，"
        "也了解一下${account_short_name}目前的狀況，看看有沒有我們可以幫忙的地方。」\n\n"
        "可以聊的話題：近期專案、產品使用情形、接下來的規劃。\n"
        "偏好：${preferences}\n嗜好：${hobbies}\n\n通話後：記錄結果與下一步。",
    ),
    "after_sale_usage": (
        "使用情況關懷",
        "親愛的${contact_name}您好：\n\n您訂購的產品（${occasion}）已經使用一段時間了，想了解目前使用是否"
        "順利。如有任何疑問或不便，請隨時回覆本訊息或直接與我聯絡。\n\n${signature}",
    ),
    "after_sale_feedback": (
        "誠摯邀請您分享使用心得",
        "親愛的${contact_name}您好：\n\n我們非常重視您的意見。能否撥冗幾分鐘，告訴我們您訂購的產品"
        "（${occasion}）在${account_short_name}的使用心得？\n\n${link}\n\n感謝您！\n\n${signature}",
    ),
    "complaint_follow_up": (
        "關於您反映問題的後續處理",
        "親愛的${contact_name}您好：\n\n感謝您反映的問題（${occasion}）。我想親自追蹤，確認問題是否已"
        "妥善解決。若仍有不滿意之處，請直接告訴我，我們會盡快處理。\n\n${signature}",
    ),
    "survey": (
        "年度客戶意見調查邀請",
        "親愛的${contact_name}您好：\n\n我們每年都會請重要客戶為我們的服務提供意見。問卷約需十分鐘，"
        "您的每一項意見都將幫助我們更好地服務${account_short_name}。\n\n${link}\n\n感謝您的支持！"
        "\n\n${signature}",
    ),
    "reverification": (
        "確認聯絡資料：${contact_name}（${account_name}）",
        "請向${contact_name}確認以下資料是否仍然正確：${occasion}。依對方的回覆更新紀錄，"
        "並記下確認的日期。\n\n可以這樣說：\n\n「${contact_name}您好，我是${sender}。為確保能即時"
        "且正確地與您聯絡，想跟您確認一下您的${occasion}，方便嗎？」",
    ),
    "event": (
        "${occasion}",
        "親愛的${contact_name}您好：\n\n我們有一則消息想與您分享：${occasion}。詳情請見：\n\n${link}"
        "\n\n如有任何問題，歡迎隨時與我聯絡。\n\n${signature}",
    ),
    "pre_sale": (
        "為${account_short_name}提供的專屬建議",
        "親愛的${contact_name}您好：\n\n感謝您的關注！如有任何疑問，我很樂意為您解答，並依"
        "${account_short_name}的實際需求推薦最合適的方案。本週方便安排一次簡短的通話嗎？請回覆您"
        "方便的時間，或直接與我聯絡。\n\n${signature}",
    ),
    "contract_status": (
        "關於您的合約：付款與出貨狀況",
        "親愛的${contact_name}您好：\n\n特此來信，希望您對合約的各項狀況都清楚無疑：付款與發票，"
        "以及所訂貨品的庫存與出貨。如有任何疑問，或希望了解最新進度，請回覆本訊息或來電，"
        "我會立即為您查明。\n\n${signature}",
    ),
    "reactivation": (
        "${contact_name}，好久不見",
        "親愛的${contact_name}您好：\n\n距離我們上次合作已有一段時間，特來問候。這段期間我們有了"
        "不少新變化，很想與您聊聊其中對${account_short_name}可能有幫助的部分。近期方便安排一次簡短的"
        "交流嗎？\n\n${signature}",
    ),
    "win_back": (
        "挽回客戶${account_name}：致電${contact_name}",
        "通話前：查看該客戶流失的原因，以及之後我們已完成的改善。\n"
        "偏好：${preferences}\n嗜好：${hobbies}\n\n"
        "通話腳本：\n\n「${contact_name}您好，我是${sender}。先前合作中發生的問題，我們非常重視，"
        "現已妥善改善。希望有機會向您介紹這些改變，也想聽聽您的想法：怎麼做才能讓我們重新合作？」"
        "\n\n通話後：記錄結果與下一步。",
    ),
}

_KO: Mapping[str, tuple[str, str]] = {
    "birthday": (
        "${contact_name}님, 생일을 진심으로 축하드립니다",
        "${contact_name}님, 안녕하세요.\n\n생일을 진심으로 축하드립니다. 늘 보내주시는 신뢰와 "
        "성원에 깊이 감사드리며, 건강과 행복이 가득한 한 해 되시길 바랍니다.\n\n${signature}",
    ),
    "holiday_greeting": (
        "즐거운 ${occasion} 보내세요",
        "${contact_name}님, 안녕하세요.\n\n가족과 함께 즐겁고 행복한 ${occasion} "
        "보내시길 바랍니다. 그동안 ${account_short_name}에서 보내주신 성원에 진심으로 "
        "감사드립니다.\n\n${signature}",
    ),
    "holiday.new_year": (
        "새해 복 많이 받으세요",
        "${contact_name}님, 안녕하세요.\n\n새해 복 많이 받으세요. 지난 한 해 "
        "${account_short_name}에서 보내주신 성원에 진심으로 감사드리며, "
        "새해에도 건강과 행복이 늘 함께하시길 바랍니다.\n\n"
        "${signature}",
    ),
    "holiday.lunar_new_year": (
        "새해 복 많이 받으세요",
        "${contact_name}님, 안녕하세요.\n\n${occasion}을 맞아 가족과 함께 따뜻하고 행복한 시간 "
        "보내시길 바랍니다. 새해 복 많이 받으시고, 그동안 "
        "${account_short_name}에서 보내주신 성원에 진심으로 감사드립니다.\n\n${signature}",
    ),
    "holiday.mid_autumn": (
        "풍성하고 행복한 ${occasion} 보내세요",
        "${contact_name}님, 안녕하세요.\n\n${occasion}을 맞아 가족과 함께 풍성하고 행복한 시간 "
        "보내시길 바랍니다. 그동안 ${account_short_name}에서 보내주신 성원에 진심으로 "
        "감사드립니다.\n\n${signature}",
    ),
    "holiday.independence_movement_day": (
        "${occasion}, 그 뜻을 기억합니다",
        "${contact_name}님, 안녕하세요.\n\n${occasion}을 맞아 나라의 독립을 위해 "
        "헌신하신 분들의 뜻을 함께 기리며, 뜻깊은 하루 보내시길 바랍니다. "
        "늘 보내주시는 신뢰에 진심으로 "
        "감사드립니다.\n\n${signature}",
    ),
    "holiday.liberation_day": (
        "${occasion}, 그 뜻을 기억합니다",
        "${contact_name}님, 안녕하세요.\n\n${occasion}을 맞아 나라를 되찾기 위해 헌신하신 분들의 "
        "뜻을 "
        "함께 기리며, 뜻깊은 하루 보내시길 바랍니다. 늘 보내주시는 신뢰에 진심으로 "
        "감사드립니다.\n\n${signature}",
    ),
    "holiday.national_foundation_day": (
        "뜻깊은 ${occasion} 보내세요",
        "${contact_name}님, 안녕하세요.\n\n${occasion}을 맞아 뜻깊은 하루 보내시길 바랍니다. 늘 "
        "보내주시는 신뢰에 진심으로 감사드립니다.\n\n${signature}",
    ),
    "holiday_gift": (
        "${occasion} 선물 준비: ${contact_name}님 (${account_name})",
        "${contact_name}님께 ${occasion} 선물을 ${date} 무렵 도착하도록 보내고, 아래 카드를 "
        "동봉하세요.\n\n선호: ${preferences}\n취미: ${hobbies}\n\n"
        "카드:\n\n${contact_name}님, 안녕하세요.\n\n즐거운 ${occasion} 보내시길 바라며, 감사의 "
        "마음을 담아 작은 선물을 준비했습니다. 기쁘게 받아 주시면 감사하겠습니다.\n\n${signature}",
    ),
    "gift.independence_movement_day": _KO_QUIET_GIFT,
    "gift.liberation_day": _KO_QUIET_GIFT,
    "relationship_call": (
        "안부 전화: ${contact_name}님 (${account_name})",
        '통화 스크립트:\n\n"${contact_name}님, 안녕하세요. ${sender}입니다. 오랜만에 안부 '
        "여쭙고자 연락드렸습니다. 요즘 ${account_short_name} 쪽은 어떠신지, 저희가 도와드릴 일은 "
        '없는지 여쭤보고 싶습니다."\n\n'
        "대화 주제: 최근 프로젝트, 제품 사용 현황, 향후 계획.\n"
        "선호: ${preferences}\n취미: ${hobbies}\n\n통화 후: 결과와 다음 단계를 기록하세요.",
    ),
    "after_sale_usage": (
        "사용하시는 데 불편은 없으신가요?",
        "${contact_name}님, 안녕하세요.\n\n주문하신 제품(${occasion})을 사용하신 지 어느덧 시간이 "
        "지났습니다. 사용하시면서 불편한 점이나 궁금한 점이 있으시면 언제든지 이 메시지에 "
        "회신하시거나 저에게 직접 연락 주십시오.\n\n${signature}",
    ),
    "after_sale_feedback": (
        "소중한 의견을 들려주세요",
        "${contact_name}님, 안녕하세요.\n\n고객님의 의견은 저희에게 큰 힘이 됩니다. 잠시 시간을 "
        "내어 주문하신 제품(${occasion})의 사용 소감을 들려주시면 감사하겠습니다.\n\n${link}\n\n"
        "${signature}",
    ),
    "complaint_follow_up": (
        "말씀하신 불편 사항 관련 후속 안내",
        "${contact_name}님, 안녕하세요.\n\n말씀해 주신 불편 사항(${occasion})에 대해 직접 "
        "확인드리고자 연락드렸습니다. 문제가 잘 해결되었는지, 아직 만족스럽지 않은 부분이 "
        "있으신지 알려 주시면 신속히 조치하겠습니다.\n\n${signature}",
    ),
    "survey": (
        "연례 고객 의견 조사에 초대합니다",
        "${contact_name}님, 안녕하세요.\n\n더 나은 서비스를 위해 매년 주요 고객님께 의견을 "
        "여쭙고 있습니다. 약 10분 정도 소요됩니다.\n\n${link}\n\n보내주신 의견 하나하나를 "
        "소중히 반영하겠습니다.\n\n${signature}",
    ),
    "reverification": (
        "연락처 정보 확인: ${contact_name}님 (${account_name})",
        "${contact_name}님께 다음 정보가 여전히 맞는지 확인하세요: ${occasion}. 확인한 내용과 "
        '확인한 날짜를 기록에 반영하세요.\n\n이렇게 말씀하시면 됩니다:\n\n"${contact_name}님, '
        "안녕하세요. ${sender}입니다. 정확하고 원활한 연락을 위해 등록된 정보(${occasion}) 확인을 "
        '부탁드려도 될까요?"',
    ),
    "event": (
        "${occasion} 안내",
        "${contact_name}님, 안녕하세요.\n\n새로운 소식을 전해 드립니다: ${occasion}. 자세한 내용은 "
        "아래 링크에서 확인하실 수 있습니다.\n\n${link}\n\n궁금하신 점은 언제든지 문의해 "
        "주십시오.\n\n${signature}",
    ),
    "pre_sale": (
        "${account_short_name}에 맞는 제안을 드립니다",
        "${contact_name}님, 안녕하세요.\n\n관심을 가져 주셔서 감사합니다. 궁금하신 점에 기꺼이 "
        "답변드리고, ${account_short_name}의 필요에 가장 잘 맞는 방안을 제안드리고 싶습니다. "
        "이번 주에 잠시 통화 가능하실까요? 편하신 시간을 회신해 주시거나 저에게 직접 연락 "
        "주십시오.\n\n${signature}",
    ),
    "contract_status": (
        "계약 관련 안내: 결제 및 출고 현황",
        "${contact_name}님, 안녕하세요.\n\n계약과 관련하여 결제와 세금계산서, "
        "주문하신 제품의 재고와 출고 현황까지 궁금하신 점이 없도록 "
        "안내드리고자 연락드렸습니다. 문의 사항이 있으시거나 "
        "최신 현황이 필요하시면 이 메시지에 회신하시거나 전화 주십시오. 바로 확인해 "
        "드리겠습니다.\n\n${signature}",
    ),
    "reactivation": (
        "${contact_name}님, 오랜만에 인사드립니다",
        "${contact_name}님, 안녕하세요.\n\n함께 일한 지 꽤 시간이 흘러 안부 인사드립니다. 그동안 "
        "저희에게도 많은 변화가 있었고, 지금 ${account_short_name}에 도움이 될 만한 내용을 소개해 "
        "드리고 싶습니다. 가까운 시일 내에 잠시 이야기 나눌 시간이 있으실까요?\n\n${signature}",
    ),
    "win_back": (
        "거래 재개 전화: ${contact_name}님 (${account_name})",
        "통화 전: 거래가 중단된 이유와 그 이후 개선한 내용을 확인하세요.\n"
        "선호: ${preferences}\n취미: ${hobbies}\n\n"
        '통화 스크립트:\n\n"${contact_name}님, 안녕하세요. ${sender}입니다. 지난번 불편을 드린 '
        "부분을 무겁게 받아들였고, 지금은 개선을 마쳤습니다. 달라진 점을 직접 보여 드리고, 다시 "
        '함께하려면 무엇이 필요할지 말씀을 듣고 싶습니다."\n\n'
        "통화 후: 결과와 다음 단계를 기록하세요.",
    ),
}

# template key -> locale -> {"subject": ..., "text": ...}, read-only at every level. A key
# written in some locales only (Korean New Year wishes) falls back to its kind's template
# in the others.
_TABLES = (("en", _EN), ("zh-Hans", _ZH_HANS), ("zh-Hant", _ZH_HANT), ("ko", _KO))
BUILTIN: Mapping[str, Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        key: MappingProxyType(
            {
                locale: MappingProxyType({"subject": table[key][0], "text": table[key][1]})
                for locale, table in _TABLES
                if key in table
            }
        )
        for key in dict.fromkeys(key for _, table in _TABLES for key in table)
    }
)
