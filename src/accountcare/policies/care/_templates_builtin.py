"""The built-in greeting templates: one per care kind and locale (en, zh-Hans, zh-Hant, ko).

Plain data, validated by :class:`accountcare.policies.care.templates.TemplateBook` like any
user's templates. Korean texts avoid particles right after a placeholder (을/를, 이/가
depend on the last syllable of the name), so they read well for any name.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["BUILTIN"]

_EN: Mapping[str, tuple[str, str]] = {
    "birthday": (
        "Happy birthday, ${contact_name}!",
        "Dear ${contact_name},\n\n"
        "Warmest wishes on your birthday from all of us at ${company_name}. Thank you for the "
        "trust you and ${account_name} place in us; may the year ahead bring you health, joy "
        "and success.\n\nBest regards,\n${rep_name}",
    ),
    "holiday_greeting": (
        "Warm wishes for ${occasion}",
        "Dear ${contact_name},\n\n"
        "As ${occasion} approaches, everyone at ${company_name} sends you and your family our "
        "warmest wishes. Thank you for another year of working together with ${account_name}."
        "\n\nWith best wishes,\n${rep_name}",
    ),
    "holiday_gift": (
        "A small gift for ${occasion}",
        "Dear ${contact_name},\n\n"
        "To mark ${occasion}, we have sent you a small gift as a token of our appreciation. "
        "It should reach you around ${date}. We hope you enjoy it.\n\nWarm regards,\n"
        "${rep_name}\n${company_name}",
    ),
    "relationship_call": (
        "Call ${contact_name} (${account_name})",
        "Hello ${contact_name}, this is ${rep_name} from ${company_name}. It has been a while, "
        "and I wanted to hear how things are going at ${account_name} and whether there is "
        "anything we can do for you.\n\n"
        "Ask about: recent projects, how our products are serving them, upcoming plans. "
        "Note the outcome and the next step after the call.",
    ),
    "after_sale_usage": (
        "How is everything working?",
        "Dear ${contact_name},\n\n"
        "You have been using ${occasion} for a little while now, and I wanted to check that "
        "everything is working well. If anything is unclear or not as expected, just reply to "
        "this message or call me directly.\n\nBest regards,\n${rep_name}\n${company_name}",
    ),
    "after_sale_feedback": (
        "We would value your feedback",
        "Dear ${contact_name},\n\n"
        "Your opinion helps us improve. Could you spare a few minutes to tell us how "
        "${occasion} has worked out for ${account_name}?\n\n${link}\n\n"
        "Thank you,\n${rep_name}",
    ),
    "complaint_follow_up": (
        "Following up on the issue you raised",
        "Dear ${contact_name},\n\n"
        "Thank you for telling us about ${occasion}. I am following up personally to make sure "
        "it has been resolved to your satisfaction. If anything is still not right, please "
        "tell me and we will act on it straight away.\n\nSincerely,\n${rep_name}\n"
        "${company_name}",
    ),
    "survey": (
        "Your opinion matters: our annual customer survey",
        "Dear ${contact_name},\n\n"
        "Once a year we ask our key customers how we are doing. The survey takes about ten "
        "minutes, and every answer helps us serve ${account_name} better:\n\n${link}\n\n"
        "Thank you for your time,\n${rep_name}",
    ),
    "reverification": (
        "Please confirm your contact details",
        "Dear ${contact_name},\n\n"
        "To make sure we always reach you at the right place, could you take a minute to "
        "confirm that your contact details are still up to date?\n\n${link}\n\n"
        "Thank you,\n${rep_name}",
    ),
    "event": (
        "${occasion}",
        "Dear ${contact_name},\n\n"
        "We would like to share some news with you: ${occasion}. You will find the details "
        "here:\n\n${link}\n\nIf you have any questions, I am happy to help.\n\n"
        "Best regards,\n${rep_name}\n${company_name}",
    ),
}

_ZH_HANS: Mapping[str, tuple[str, str]] = {
    "birthday": (
        "${contact_name}，生日快乐！",
        "尊敬的${contact_name}：\n\n值此生日之际，${company_name}全体同仁向您致以最诚挚的祝福！"
        "感谢您和${account_name}一直以来的信任与支持，祝您身体健康、万事如意！\n\n${rep_name} 敬上",
    ),
    "holiday_greeting": (
        "恭祝${occasion}快乐",
        "尊敬的${contact_name}：\n\n${occasion}将至，${company_name}谨向您及家人致以节日的问候，"
        "祝您阖家幸福、万事顺意！感谢${account_name}一直以来的合作与支持。\n\n${rep_name} 敬上",
    ),
    "holiday_gift": (
        "${occasion}小礼，聊表心意",
        "尊敬的${contact_name}：\n\n${occasion}将至，我们为您准备了一份小礼物，预计于${date}前后送达，"
        "聊表谢意，敬请笑纳。\n\n${rep_name} 敬上\n${company_name}",
    ),
    "relationship_call": (
        "回访电话：${contact_name}（${account_name}）",
        "${contact_name}您好，我是${company_name}的${rep_name}。好久没联系了，想问候一下您最近怎么样，"
        "也了解一下${account_name}目前的情况，看看有没有我们可以帮忙的地方。\n\n"
        "可聊的话题：近期项目、产品使用情况、接下来的计划。通话后请记录结果和下一步安排。",
    ),
    "after_sale_usage": (
        "使用情况回访",
        "尊敬的${contact_name}：\n\n您好！${occasion}已经使用一段时间了，想了解一下目前使用是否顺利。"
        "如有任何疑问或不便，请随时回复本邮件或直接与我联系。\n\n${rep_name}\n${company_name}",
    ),
    "after_sale_feedback": (
        "诚邀您分享使用感受",
        "尊敬的${contact_name}：\n\n我们非常重视您的意见。能否抽出几分钟，告诉我们${occasion}"
        "在${account_name}的使用感受？\n\n${link}\n\n谢谢您！\n${rep_name}",
    ),
    "complaint_follow_up": (
        "关于您反馈问题的跟进",
        "尊敬的${contact_name}：\n\n感谢您反馈的问题（${occasion}）。我想亲自跟进一下，确认问题是否已"
        "妥善解决。如仍有不满意之处，请直接告诉我，我们会尽快处理。\n\n${rep_name}\n${company_name}",
    ),
    "survey": (
        "年度客户意见调查邀请",
        "尊敬的${contact_name}：\n\n我们每年都会请重要客户为我们的服务打分。调查约需十分钟，"
        "您的每一条意见都将帮助我们更好地服务${account_name}：\n\n${link}\n\n感谢您的支持！\n"
        "${rep_name}",
    ),
    "reverification": (
        "请协助确认您的联系信息",
        "尊敬的${contact_name}：\n\n为确保能及时准确地与您联系，烦请您花一分钟确认您的联系方式是否"
        "有变动：\n\n${link}\n\n谢谢！\n${rep_name}",
    ),
    "event": (
        "${occasion}",
        "尊敬的${contact_name}：\n\n我们有一则消息想与您分享：${occasion}。详情请见：\n\n${link}\n\n"
        "如有任何问题，欢迎随时与我联系。\n\n${rep_name}\n${company_name}",
    ),
}

_ZH_HANT: Mapping[str, tuple[str, str]] = {
    "birthday": (
        "${contact_name}，生日快樂！",
        "親愛的${contact_name}您好：\n\n值此生日之際，${company_name}全體同仁向您致上最誠摯的祝福！"
        "感謝您與${account_name}一直以來的信任與支持，敬祝身體健康、萬事如意！\n\n${rep_name} 敬上",
    ),
    "holiday_greeting": (
        "恭祝${occasion}愉快",
        "親愛的${contact_name}您好：\n\n${occasion}將至，${company_name}謹向您及家人致上節日的問候，"
        "敬祝闔家平安、萬事順心！感謝${account_name}一直以來的合作與支持。\n\n${rep_name} 敬上",
    ),
    "holiday_gift": (
        "${occasion}小禮，聊表心意",
        "親愛的${contact_name}您好：\n\n${occasion}將至，我們為您準備了一份小禮物，預計於${date}前後"
        "送達，聊表謝意，敬請笑納。\n\n${rep_name} 敬上\n${company_name}",
    ),
    "relationship_call": (
        "關懷來電：${contact_name}（${account_name}）",
        "${contact_name}您好，我是${company_name}的${rep_name}。好久沒有聯絡了，想關心一下您最近好嗎，"
        "也了解一下${account_name}目前的狀況，看看有沒有我們可以幫忙的地方。\n\n"
        "可以聊的話題：近期專案、產品使用情形、接下來的規劃。通話後請記錄結果與下一步。",
    ),
    "after_sale_usage": (
        "使用情況關懷",
        "親愛的${contact_name}您好：\n\n${occasion}已經使用一段時間了，想了解目前使用是否順利。"
        "如有任何疑問或不便，請隨時回覆本郵件或直接與我聯絡。\n\n${rep_name}\n${company_name}",
    ),
    "after_sale_feedback": (
        "誠摯邀請您分享使用心得",
        "親愛的${contact_name}您好：\n\n我們非常重視您的意見。能否撥冗幾分鐘，告訴我們${occasion}"
        "在${account_name}的使用心得？\n\n${link}\n\n感謝您！\n${rep_name}",
    ),
    "complaint_follow_up": (
        "關於您反映問題的後續處理",
        "親愛的${contact_name}您好：\n\n感謝您反映的問題（${occasion}）。我想親自追蹤，確認問題是否已"
        "妥善解決。若仍有不滿意之處，請直接告訴我，我們會盡快處理。\n\n${rep_name}\n${company_name}",
    ),
    "survey": (
        "年度客戶意見調查邀請",
        "親愛的${contact_name}您好：\n\n我們每年都會請重要客戶為我們的服務評分。問卷約需十分鐘，"
        "您的每一項意見都將幫助我們更好地服務${account_name}：\n\n${link}\n\n感謝您的支持！\n"
        "${rep_name}",
    ),
    "reverification": (
        "請協助確認您的聯絡資料",
        "親愛的${contact_name}您好：\n\n為確保能即時且正確地與您聯絡，煩請您花一分鐘確認聯絡方式"
        "是否有異動：\n\n${link}\n\n謝謝！\n${rep_name}",
    ),
    "event": (
        "${occasion}",
        "親愛的${contact_name}您好：\n\n我們有一則消息想與您分享：${occasion}。詳情請見：\n\n${link}"
        "\n\n如有任何問題，歡迎隨時與我聯絡。\n\n${rep_name}\n${company_name}",
    ),
}

_KO: Mapping[str, tuple[str, str]] = {
    "birthday": (
        "${contact_name}님, 생일을 진심으로 축하드립니다",
        "${contact_name}님, 안녕하세요.\n\n생일을 진심으로 축하드립니다. 늘 보내주시는 신뢰와 "
        "성원에 깊이 감사드리며, 건강과 행복이 가득한 한 해 되시길 바랍니다.\n\n"
        "${company_name} ${rep_name} 드림",
    ),
    "holiday_greeting": (
        "즐거운 ${occasion} 보내세요",
        "${contact_name}님, 안녕하세요.\n\n다가오는 ${occasion}, 가족과 함께 풍성하고 행복한 시간 "
        "보내시길 바랍니다. 한 해 동안 ${account_name}에서 보내주신 성원에 진심으로 "
        "감사드립니다.\n\n"
        "${company_name} ${rep_name} 드림",
    ),
    "holiday_gift": (
        "${occasion} 맞이 작은 선물을 보내드립니다",
        "${contact_name}님, 안녕하세요.\n\n${occasion} 맞이 감사의 마음을 담아 작은 선물을 "
        "준비했습니다. ${date} 무렵 도착할 예정입니다. 기쁘게 받아 주시면 감사하겠습니다.\n\n"
        "${company_name} ${rep_name} 드림",
    ),
    "relationship_call": (
        "안부 전화: ${contact_name}님 (${account_name})",
        "${contact_name}님, 안녕하세요. ${company_name} ${rep_name}입니다. 오랜만에 안부 "
        "여쭙고자 연락드렸습니다. 요즘 ${account_name} 쪽은 어떠신지, 저희가 도와드릴 일은 "
        "없는지 여쭤보고 싶습니다.\n\n"
        "대화 주제: 최근 프로젝트, 제품 사용 현황, 향후 계획. "
        "통화 후 결과와 다음 단계를 기록하세요.",
    ),
    "after_sale_usage": (
        "사용하시는 데 불편은 없으신가요?",
        "${contact_name}님, 안녕하세요.\n\n${occasion} 사용을 시작하신 지 어느덧 시간이 "
        "지났습니다. 사용하시면서 불편한 점이나 궁금한 점이 있으시면 언제든지 이 메일에 "
        "회신하시거나 저에게 직접 연락 주십시오.\n\n${company_name} ${rep_name} 드림",
    ),
    "after_sale_feedback": (
        "소중한 의견을 들려주세요",
        "${contact_name}님, 안녕하세요.\n\n고객님의 의견은 저희에게 큰 힘이 됩니다. 잠시 시간을 "
        "내어 ${occasion} 사용 소감을 들려주시면 감사하겠습니다.\n\n${link}\n\n"
        "${company_name} ${rep_name} 드림",
    ),
    "complaint_follow_up": (
        "말씀하신 불편 사항 관련 후속 안내",
        "${contact_name}님, 안녕하세요.\n\n말씀해 주신 불편 사항(${occasion})에 대해 직접 "
        "확인드리고자 연락드렸습니다. 문제가 잘 해결되었는지, 아직 만족스럽지 않은 부분이 "
        "있으신지 알려 주시면 신속히 조치하겠습니다.\n\n${company_name} ${rep_name} 드림",
    ),
    "survey": (
        "연례 고객 의견 조사에 초대합니다",
        "${contact_name}님, 안녕하세요.\n\n더 나은 서비스를 위해 매년 주요 고객님께 의견을 "
        "여쭙고 있습니다. 약 10분 정도 소요됩니다.\n\n${link}\n\n보내주신 의견 하나하나를 "
        "소중히 반영하겠습니다.\n\n${company_name} ${rep_name} 드림",
    ),
    "reverification": (
        "연락처 정보 확인을 부탁드립니다",
        "${contact_name}님, 안녕하세요.\n\n정확하고 원활한 연락을 위해 등록된 연락처 정보에 "
        "변동이 없는지 잠시 확인 부탁드립니다.\n\n${link}\n\n감사합니다.\n"
        "${company_name} ${rep_name} 드림",
    ),
    "event": (
        "${occasion} 안내",
        "${contact_name}님, 안녕하세요.\n\n${occasion} 소식을 전해 드립니다. 자세한 내용은 "
        "아래 링크에서 확인하실 수 있습니다.\n\n${link}\n\n궁금하신 점은 언제든지 문의해 "
        "주십시오.\n\n${company_name} ${rep_name} 드림",
    ),
}

# template key -> locale -> {"subject": ..., "text": ...}, read-only at every level.
BUILTIN: Mapping[str, Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        key: MappingProxyType(
            {
                locale: MappingProxyType({"subject": table[key][0], "text": table[key][1]})
                for locale, table in (
                    ("en", _EN),
                    ("zh-Hans", _ZH_HANS),
                    ("zh-Hant", _ZH_HANT),
                    ("ko", _KO),
                )
            }
        )
        for key in _EN
    }
)
