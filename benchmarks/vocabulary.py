"""Hand-made vocabularies for the benchmark corpus (the French one comes from the letters in
/work/shared/seeds). Function words first, then the vocabulary of WSIS documents; the corpus
generator adds a long tail of derived words so that term statistics look like real text."""

EN = """the of and to in a is that for on with as by be are this which from at or an it not have
has their its will all these should been can also other such more between through must
information society world summit development countries access technologies communication
digital divide infrastructure network networks internet governance security confidence capacity
building education learning health government business employment environment agriculture science
culture diversity identity linguistic local content media ethics cooperation international regional
national policy policies strategy strategies framework implementation action lines plan principles
declaration commitment agenda stakeholders private sector civil academia technical community
organisation organisations member states delegation contribution contributions proposal proposals
draft document documents report reports meeting session forum conference committee preparatory
secretariat union telecommunication telecommunications broadband mobile rural remote areas women
girls youth children persons disabilities indigenous peoples poverty reduction sustainable goals
investment financing fund mechanisms partnership partnerships knowledge skills literacy schools
universities research innovation entrepreneurship small enterprises trade electronic commerce
services applications platforms data privacy protection cybersecurity cybercrime trust rights
human freedom expression press journalists broadcasting radio television satellite spectrum
regulation regulatory authority independent competition market markets prices affordable
universal service open source software hardware standards interoperability multilingual
languages translation heritage libraries archives museums public domain intellectual property
measurement indicators statistics monitoring evaluation review progress stocktaking database
projects activities examples success stories lessons challenges opportunities risks
emergency disaster climate change energy electricity connectivity villages cities smart
transport water food security employment jobs workers labour migration diaspora global
south north developed developing least landlocked island economies transition affairs
ministry minister ministers president excellency sir madam dear sincerely considered
recommendations recommends invites calls urges welcomes notes recognizes reaffirms
recalling emphasizing stressing acknowledging further therefore however moreover including""".split()

FR = None  # built from the letters (see corpus.py), then extended with these domain words
FR_EXTRA = """numérique fracture accès réseau réseaux internet gouvernance sécurité confiance
renforcement capacités éducation apprentissage santé administration électronique commerce emploi
environnement agriculture science culture diversité identité linguistique contenu local médias
éthique coopération régionale nationale politique politiques stratégie cadre mise oeuvre lignes
engagement programme acteurs secteur privé société civile universités recherche innovation
entreprises données protection vie privée cybersécurité droits homme liberté presse journalistes
radiodiffusion télévision satellite spectre réglementation autorité concurrence marché prix
service universel logiciel libre normes interopérabilité langues traduction patrimoine
bibliothèques archives musées propriété intellectuelle indicateurs statistiques suivi évaluation
projets exemples défis possibilités risques urgence catastrophes climat énergie électricité
connectivité villages villes transports eau alimentation travailleurs migration pays développés
moins avancés économies ministère ministre excellence recommandations invite demande souligne
reconnaît réaffirme rappelant soulignant considérant financement investissement partenariat
connaissances compétences alphabétisation écoles jeunes filles enfants personnes handicapées
peuples autochtones pauvreté réduction objectifs durables""".split()

ES = """de la que el en y a los del se las por un para con no una su al lo como más o pero sus le
ha este entre cuando muy sin sobre también me hasta hay donde quien desde todo nos durante
sociedad información cumbre mundial desarrollo países acceso tecnologías comunicación digital
brecha infraestructura red redes internet gobernanza seguridad confianza capacidad creación
educación aprendizaje salud gobierno electrónico comercio empleo medio ambiente agricultura ciencia
cultura diversidad identidad lingüística contenido local medios ética cooperación internacional
regional nacional política políticas estrategia marco aplicación líneas acción plan principios
declaración compromiso agenda partes interesadas sector privado civil academia comunidad técnica
organización organizaciones estados miembros delegación contribución contribuciones propuesta
documento informe reunión sesión foro conferencia comité preparatorio secretaría unión
telecomunicaciones banda ancha móvil zonas rurales mujeres niñas jóvenes niños personas
discapacidad pueblos indígenas pobreza reducción objetivos sostenibles inversión financiación
fondo mecanismos asociación conocimiento conocimientos competencias alfabetización escuelas
universidades investigación innovación empresas datos privacidad protección ciberseguridad
derechos humanos libertad expresión prensa periodistas radiodifusión televisión satélite
regulación autoridad competencia mercado precios servicio universal software libre normas
idiomas traducción patrimonio bibliotecas archivos museos propiedad intelectual indicadores
estadísticas seguimiento evaluación proyectos ejemplos desafíos oportunidades riesgos emergencia
desastres clima energía electricidad conectividad ciudades transporte agua alimentación
trabajadores migración ministerio ministro recomendaciones invita insta reconoce reafirma""".split()

RU = """и в не на что с по к как из о у за от для же до это или а при так но все его их был
были также который которые между через должны может могут этой этого более
информационное общество информационного общества всемирная встреча высшем уровне развитие
развития страны стран доступ технологии технологий связи цифровой разрыв инфраструктура сети
сетей интернет управление безопасность доверие потенциал создание образование обучение
здравоохранение правительство электронное электронной торговля занятость окружающая среда
сельское хозяйство наука культура разнообразие самобытность языковое местный контент средства
массовой информации этика сотрудничество международное региональное национальная политика
стратегия рамки осуществление направления действий план принципов декларация обязательство
повестка заинтересованные стороны частный сектор гражданское общество академические круги
техническое сообщество организация организации государства члены делегация вклад документ
доклад совещание сессия форум конференция подготовительный комитет секретариат союз электросвязи
широкополосный мобильной сельских районах женщины девочки молодежь дети лица инвалидностью
коренные народы бедность сокращение цели устойчивого инвестиции финансирование фонд механизмы
партнерство знания навыки грамотность школы университеты исследования инновации предприятия
данные защита конфиденциальность кибербезопасность права человека свобода выражения печать
журналисты радиовещание телевидение спутниковой спектр регулирование орган конкуренция рынок
цены универсальное обслуживание программное обеспечение стандарты языки перевод наследие
библиотеки архивы музеи интеллектуальной собственности показатели статистика мониторинг оценка
проекты примеры проблемы возможности риски чрезвычайных ситуаций климат энергия электричество
подключение города транспорт вода продовольствие работники миграция министерство министр
рекомендации призывает признает подтверждает""".split()

AR = """في من على إلى عن أن مع هذا هذه التي الذي التي كان قد ثم هو هي ما لا أو كل بين حيث
مجتمع المعلومات القمة العالمية التنمية البلدان النفاذ التكنولوجيات الاتصالات الرقمية الفجوة
البنية التحتية الشبكات الإنترنت إدارة الأمن الثقة بناء القدرات التعليم التعلم الصحة الحكومة
الإلكترونية التجارة العمالة البيئة الزراعة العلوم الثقافة التنوع الهوية اللغوي المحتوى المحلي
وسائل الإعلام الأخلاقيات التعاون الدولي الإقليمي الوطنية السياسة السياسات الاستراتيجية إطار
تنفيذ خطوط العمل خطة المبادئ إعلان الالتزام جدول أعمال أصحاب المصلحة القطاع الخاص المجتمع
المدني الأوساط الأكاديمية المجتمع التقني المنظمة المنظمات الدول الأعضاء الوفد مساهمة مساهمات
اقتراح وثيقة تقرير اجتماع دورة منتدى مؤتمر اللجنة التحضيرية الأمانة الاتحاد الدولي النطاق
العريض المتنقلة المناطق الريفية النساء الفتيات الشباب الأطفال الأشخاص ذوي الإعاقة الشعوب
الأصلية الفقر الحد من أهداف المستدامة الاستثمار التمويل الصندوق الآليات الشراكة المعرفة
المهارات محو الأمية المدارس الجامعات البحث الابتكار المؤسسات البيانات الحماية الخصوصية
الأمن السيبراني حقوق الإنسان حرية التعبير الصحافة الصحفيين الإذاعة التلفزيون الساتلية الطيف
التنظيم الهيئة المنافسة السوق الأسعار الخدمة الشاملة البرمجيات المعايير اللغات الترجمة
التراث المكتبات المحفوظات المتاحف الملكية الفكرية المؤشرات الإحصاءات الرصد التقييم المشاريع
الأمثلة التحديات الفرص المخاطر الطوارئ الكوارث المناخ الطاقة الكهرباء التوصيلية المدن النقل
المياه الغذاء العمال الهجرة الوزارة الوزير التوصيات يدعو يحث يعترف يؤكد""".split()

# Chinese: words of one to four characters (segmentation is the index's business, not ours).
ZH = """的 和 在 是 与 及 对 为 了 等 将 有 也 中 以 各 其 该 这 进行 通过 应当 可以 以及
信息社会 世界峰会 信息 社会 发展 国家 接入 技术 通信 数字 鸿沟 基础设施 网络 互联网 治理 安全
信任 能力建设 教育 学习 卫生 政府 电子政务 电子商务 就业 环境 农业 科学 文化 多样性 特性 语言
本地内容 媒体 伦理 合作 国际 区域 国家级 政策 战略 框架 实施 行动方针 行动计划 原则宣言 承诺
议程 利益攸关方 私营部门 民间社会 学术界 技术界 组织 成员国 代表团 文稿 提案 文件 报告 会议
论坛 筹备委员会 秘书处 国际电信联盟 电信 宽带 移动 农村地区 妇女 女童 青年 儿童 残疾人
土著人民 贫困 减少 可持续发展目标 投资 融资 基金 机制 伙伴关系 知识 技能 识字 学校 大学 研究
创新 企业 数据 隐私 保护 网络安全 人权 言论自由 新闻 记者 广播 电视 卫星 频谱 监管 机构 竞争
市场 价格 普遍服务 软件 标准 互操作性 多语种 翻译 遗产 图书馆 档案 博物馆 知识产权 指标 统计
监测 评估 项目 实例 挑战 机遇 风险 紧急情况 灾害 气候变化 能源 电力 连通性 城市 交通 水 粮食
工人 移民 部长 建议 呼吁 敦促 欢迎 注意到 确认 重申""".split()
