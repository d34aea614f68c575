"""What the audit trail's operations and record types are called in Japanese (the admin's 監査ログ page):
one entry per `operation=` the code records. A request's reads are `<type>.list_read` and an attempt scope
refused is `<operation>.denied`; both are named from their parts. An operation missing here is shown as
its code (a test lists the code's operations and finds each one here)."""

OPERATIONS: dict[str, str] = {
    # log-in and accounts
    "login.password": "ログイン（パスワード確認）",
    "login.success": "ログイン",
    "login.failure": "ログイン失敗",
    "logout": "ログアウト",
    "logout.everywhere": "すべての端末からログアウト",
    "second_factor.enrol": "二要素認証の登録",
    "second_factor.reset": "二要素認証のリセット",
    "session.end_all": "セッションの終了（管理者）",
    "invitation.create": "利用者の招待",
    "invitation.accept": "招待の受諾（パスワード設定）",
    "user.create": "利用者の作成",
    "user.update": "役割・所属の変更",
    "user.deactivate": "利用停止",
    "user.reactivate": "利用再開",
    "token.issue": "APIトークンの発行",
    "token.revoke": "APIトークンの失効",
    "demo.credentials": "デモ用の認証情報の設定",
    # set-up
    "area.create": "圏域の作成",
    "hub.create": "拠点の作成",
    "hub_member.add": "協議の場のメンバー追加",
    "hub_member.remove": "協議の場のメンバー削除",
    # the desk
    "consultation.log": "相談の受付",
    "consultation.read": "相談の閲覧",
    "consultation.update": "相談の編集",
    "consultation.record_action": "対応の記録",
    "consultation.close": "相談の終結",
    "issues.request_grouping": "地域課題の再グループ化",
    "issue.update": "地域課題の変更",
    "issue.merge": "地域課題の統合",
    "issue.move_consultation": "相談の地域課題間の移動",
    "issue.raise": "不足している資源の地域課題化",
    "meeting.schedule": "協議の場の登録",
    "meeting.drop_example": "資料の事例の除外",
    "meeting.send": "協議の場の資料送付",
    # the resource directory
    "resource.import": "資源データの取込み",
    "resource.create": "資源の登録",
    "resource.self_report": "事業所による情報の更新",
    "resource.capacity": "空き状況の更新",
    "resource.schedules": "受付時間の更新",
    "resource.service_areas": "対応地域の更新",
    "resource.verify": "資源情報の確認（デスク）",
    "resource.report_correction": "資源情報の誤りの報告",
    "resource.resolve_correction": "資源情報の誤りの報告への対応",
    "resource.confirm_match": "資源の照合の確定",
    "resource.split_match": "資源の照合の分離",
    "resource.place_unmatched": "未照合の資源の割当て",
    # the prefecture
    "report.request": "報告書の作成依頼",
    "report.download": "報告書のダウンロード",
    # the desk report
    "desk_report.request": "実績報告の作成依頼",
    "desk_report.download": "実績報告のダウンロード",
    "desk_report.evidence": "共有の記録のダウンロード",
    "taxonomy.publish": "分類（相談内容・対応内容）の改定",
    # operations
    "diagnostic.sleep": "診断用ジョブ",
}

# the denied attempts (`<operation>.denied`) whose operation is only ever refused, never recorded as done
DENIED_ONLY: dict[str, str] = {
    "hub.read": "拠点の閲覧",
    "job.read": "ジョブの閲覧",
    "meeting.read": "協議の場の閲覧",
    "prefecture.read": "都道府県の集計の閲覧",
    "regional_issue.read": "地域課題の閲覧",
    "regional_issue.change": "地域課題の変更",
    "report.read": "報告書の閲覧",
    "desk_report.read": "実績報告の閲覧",
}

ENTITY_TYPES: dict[str, str] = {
    "consultation": "相談",
    "user": "利用者",
    "api_token": "APIトークン",
    "area": "圏域",
    "hub": "拠点",
    "hub_member": "協議の場のメンバー",
    "regional_issue": "地域課題",
    "meeting": "協議の場",
    "hub_meeting": "協議の場",
    "prefecture": "都道府県",
    "prefecture_report": "報告書",
    "desk_report": "実績報告",
    "taxonomy_version": "分類の版",
    "job": "ジョブ",
    "resource_service": "資源（サービス）",
    "resource_identifier": "資源の照合",
    "resource_import": "資源データの取込み",
    "resource_correction": "資源情報の誤りの報告",
}

GROUPS: dict[str, str] = {   # the filter's groups: an operation's first part → heading
    "login": "ログイン", "logout": "ログイン", "second_factor": "ログイン", "session": "ログイン",
    "invitation": "利用者", "user": "利用者", "token": "利用者", "demo": "利用者",
    "area": "圏域・拠点", "hub": "圏域・拠点", "hub_member": "圏域・拠点",
    "consultation": "相談",
    "issues": "地域課題・協議の場", "issue": "地域課題・協議の場", "meeting": "地域課題・協議の場",
    "report": "都道府県", "desk_report": "地域課題・協議の場", "taxonomy": "圏域・拠点", "diagnostic": "運用", "resource": "資源",
}


def operation_label(operation: str) -> str:
    if operation in OPERATIONS:
        return OPERATIONS[operation]
    if operation.endswith(".list_read"):
        kind = operation.removesuffix(".list_read")
        return f"{ENTITY_TYPES.get(kind, kind)}の一覧表示"
    if operation.endswith(".denied"):
        done = operation.removesuffix(".denied")
        return f"{OPERATIONS.get(done) or DENIED_ONLY.get(done) or done}（範囲外のため拒否）"
    return operation


def entity_label(entity_type: str | None) -> str:
    return "" if entity_type is None else ENTITY_TYPES.get(entity_type, entity_type)


def denied_operations() -> list[str]:
    """Every `<operation>.denied` the code can record (a test checks the code's denied() calls are all here)."""
    return sorted({f"{op}.denied" for op in (*OPERATIONS, *DENIED_ONLY)})


def filter_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The operation filter's options, grouped: every operation, the list reads, and the refused attempts."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for operation, label in OPERATIONS.items():
        groups.setdefault(GROUPS.get(operation.split(".")[0], "その他"), []).append((operation, label))
    groups["閲覧の記録"] = [("consultation.list_read", operation_label("consultation.list_read")),
                         ("*.denied", "範囲外のため拒否された操作（すべて）")]
    return list(groups.items())
