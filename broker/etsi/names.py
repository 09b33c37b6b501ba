"""The namespaces and the dictionary entries of the HI-1 e-Evidence profile, and the RI forms' namespaces.

Dictionary entries (Owner, Name, Value) follow ETSI TS 103 120 where its examples and the ETSI-forge
EPOC mapping tool show them (EPOCLegalType, EPOCPriority, AuthorisationFlag IsEmergency,
LDTaskDesiredStatus AwaitingDisclosure, EPOCDeliveryProfile, EPOCDocumentType, EPOCNotificationType).
Values the broker had to choose itself (the notification types of each answer, the task statuses of
an answer) are marked BROKER below and in docs/etsi.md, to be aligned with the TS 104 144 dictionary
text when it is at hand.
"""

CORE = "http://uri.etsi.org/03120/common/2019/10/Core"
COMMON = "http://uri.etsi.org/03120/common/2016/02/Common"
TASK = "http://uri.etsi.org/03120/common/2020/09/Task"
AUTH = "http://uri.etsi.org/03120/common/2020/09/Authorisation"
DOC = "http://uri.etsi.org/03120/common/2020/09/Document"
NOTIFY = "http://uri.etsi.org/03120/common/2016/02/Notification"
DELIVERY = "http://uri.etsi.org/03120/common/2019/10/Delivery"
CONFIG = "http://uri.etsi.org/03120/common/2024/06/Config"
DICTIONARIES = "http://uri.etsi.org/03280/common/2019/10/Dictionaries"
ADDITIONAL = "http://uri.etsi.org/03120/common/2025/06/EPOCAdditionalInfo"
FORM3 = "http://uri.etsi.org/03120/common/2025/06/Form3Information"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# The broker's own elements inside EPOCAdditionalInfo/UnmappedXML (a lax wildcard).
BROKER = "urn:eevidence-broker:etsi:1"

HI1_NAMESPACES = {
    None: CORE,
    "common": COMMON,
    "task": TASK,
    "auth": AUTH,
    "doc": DOC,
    "notification": NOTIFY,
    "delivery": DELIVERY,
    "config": CONFIG,
    "dictionaries": DICTIONARIES,
    "epocinfo": ADDITIONAL,
    "form3": FORM3,
    "xsi": XSI,
    "broker": BROKER,
    "policy": "http://uri.etsi.org/03120/common/2022/07/TrafficPolicy",
}
PREFIXES = {uri: prefix for prefix, uri in HI1_NAMESPACES.items() if prefix is not None}

FORM1 = "http://data.europa.eu/edm/1/ns/forms/EPOC-FORM_1#"
FORM2 = "http://data.europa.eu/edm/1/ns/forms/EPOCPR-FORM_2#"
EPOC = "http://data.europa.eu/edm/1/ns/epoc"
EIO = "http://data.europa.eu/edm/1/ns/eio"
CVB = "http://www.w3.org/ns/corevocabulary/BasicComponents"
FORM_NAMESPACES = {"f1": FORM1, "f2": FORM2, "epoc": EPOC, "eio": EIO, "cvb": CVB}
PREFIXES.update({uri: prefix for prefix, uri in FORM_NAMESPACES.items()})

# The message header: ETSI version of the schemas the broker validates with, and the EU profile.
ETSI_VERSION = "V1.20.1"
PROFILE_OWNER = "EU"
PROFILE_VERSION = "v1.0"

ETSI = "ETSI"
OWNER = "eevidence-broker"  # owner of the broker's own dictionary entries and format names

# Object types, as xsi:type values and as LIST ObjectType dictionary values.
AUTHORISATION = "auth:AuthorisationObject"
LDTASK = "task:LDTaskObject"
LPTASK = "task:LPTaskObject"
DOCUMENT = "doc:DocumentObject"
NOTIFICATION = "notification:NotificationObject"
DELIVERY_OBJECT = "delivery:DeliveryObject"
ADDITIONAL_INFO = "epocinfo:EPOCAdditionalInfo"
FORM3_INFO = "form3:Form3Information"

# Authorisation (ETSI-forge EPOC mapping; AuthorisationStatus values from TS 103 120's examples).
LEGAL_TYPE = ("EPOCLegalType", {"epoc": "EPOC", "epoc-pr": "EPOCPR"})
PRIORITY_NAME = "EPOCPriority"
PRIORITY_EMERGENCY = "EightHours"
PRIORITY_NOTIFIED = "TenDaysSubjectToEA"
PRIORITY_PLAIN = "TenDaysASAP"
EMERGENCY_FLAG = ("AuthorisationFlag", "IsEmergency")
DESIRED_SUBMITTED = ("AuthorisationDesiredStatus", "SubmittedToCSP")

# Tasks: what the broker asks for, and the statuses a provider's answer may set (BROKER where noted).
LD_DESIRED = ("LDTaskDesiredStatus", "AwaitingDisclosure")
LP_DESIRED = ("LPTaskDesiredStatus", "Preserved")
LD_STATUS = "LDTaskStatus"
LP_STATUS = "LPTaskStatus"
ACKNOWLEDGED = {"epoc": "AwaitingDisclosure", "epoc-pr": "AwaitingPreservation"}  # BROKER for the LP value
ANSWERED = {"epoc": "Disclosed", "epoc-pr": "Preserved"}
REQUEST_TYPE = "RequestType"
DELIVERY_PROFILE = ("EPOCDeliveryProfile", "IssuingAuthority")
DEADLINE_NATURE = ("LDDeadlineNature", "ProductionDeadline")  # BROKER

# Documents: the signed certificate (Form 1 / Form 2 content) and a party's signed answer (BROKER).
DOCUMENT_TYPE = "EPOCDocumentType"
CERTIFICATE_DOCUMENT = {"epoc": "Form1", "epoc-pr": "Form2"}
ANSWER_DOCUMENT = "SignedAnswer"  # BROKER
JOSE = "application/jose"

# Notifications: one NotificationType per answer a provider gives through a notification (BROKER).
NOTIFICATION_TYPE = "EPOCNotificationType"

# The certificate's values as HI-1 values, shared by writing, reading and GETCSPCONFIG.
ROLES = {  # authority_type -> common:ApproverRole
    "judge": "Judge",
    "court": "Court",
    "investigating_judge": "InvestigatingJudge",
    "public_prosecutor": "PublicProsecutor",
    "other_competent_authority": "OtherCompetentAuthority",
}
FORMATS = {  # target type -> task:FormatType (FormatOwner, FormatName)
    "account": (ETSI, "ServiceAccessIdentifier"),
    "email_address": (ETSI, "InternationalizedEmailAddress"),
    "phone_number": (ETSI, "InternationalE164"),
    "ip_address": (ETSI, "IPAddress"),
    "username": (OWNER, "username"),
    "device_id": (OWNER, "device_id"),
    "other": (OWNER, "other"),
}
CATEGORIES = {  # data category -> ETSI RequestType
    "subscriber": "SubscriberData",
    "user_identification": "UserIdentifyingData",
    "traffic": "TrafficData",
    "content": "StoredContentData",
}
TASK_TYPES = {"epoc": LDTASK, "epoc-pr": LPTASK}
