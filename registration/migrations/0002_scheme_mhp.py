"""The first scheme, from shared/seed/skema-sertifikasi-mhp.txt (document 003-P1UPJ-MHP-10-2021).

Further schemes are added by staff in the admin.
"""

import datetime

from django.db import migrations

UNITS = [
    ("M.702093.001.01", "Menyusun Rencana Pemasaran"),
    ("M.702093.002.01", "Membuat Strategi Merek Produk"),
    ("M.702093.003.01", "Merencanakan Promosi Produk"),
    ("M.702093.004.01", "Merencanakan Penjualan"),
    ("M.702093.005.01", "Merencanakan pembentukan tim penjualan"),
    ("M.702093.006.01", "Menyusun database penjualan"),
    ("M.702093.007.01", "Menyusun data pelanggan"),
    ("M.702093.008.01", "Mengelola Data pelanggan"),
    ("M.702093.009.01", "Menyusun rencana pertemuan pelanggan"),
    ("M.702093.010.01", "Mengelola pertemuan pelanggan"),
    ("M.702093.011.01", "Melayani Kebutuhan Informasi Bagi Pelanggan"),
    ("M.702093.012.01", "Menangani Keluhan Pelanggan"),
    ("M.702093.013.01", "Mengukur kepuasan pelanggan"),
    ("M.702093.014.01", "Merancang Program Loyalitas Pelanggan"),
    ("M.702093.015.01", "Mengelola program loyalitas pelanggan"),
]

COURSES = ["Manajemen Pemasaran", "Perilaku Konsumen", "Manajemen Jasa"]

FIELDS = ["Manajemen Pemasaran", "Manajemen Pelanggan", "Manajemen Hubungan Pelanggan"]

# (code, name, section, quantity, images only)
DOCUMENTS = [
    ("ktp", "Fotokopi KTP", "9.1.2.a", 1, False),
    ("ktm", "Fotokopi KTM (Kartu Tanda Mahasiswa)", "9.1.2.a", 1, False),
    (
        "transkrip",
        "Fotokopi transkrip nilai (Manajemen Pemasaran, Perilaku Konsumen, Manajemen Jasa)",
        "9.1.2.b",
        1,
        False,
    ),
    ("pasfoto", "Pasfoto 3 x 4", "9.1.2.c", 3, True),
    (
        "surat-magang",
        "Surat keterangan pengalaman kerja/magang bidang Manajemen Hubungan Pelanggan "
        "(minimal 400 jam)",
        "9.1.2.d",
        1,
        False,
    ),
]

CLAUSES = {
    "process": [
        ("9.1.1", "LSP menginformasikan kepada pemohon persyaratan sertifikasi sesuai skema "
         "sertifikasi, jenis bukti, aturan bukti, proses sertifikasi, hak pemohon dan kewajiban "
         "pemohon, biaya sertifikasi dan kewajiban pemegang sertifikat kompetensi."),
        ("9.1.2", "Pemohon mengisi formulir permohonan sertifikasi (FR-APL-01) yang dilengkapi "
         "dengan bukti persyaratan."),
        ("9.1.3", "Pemohon mengisi formulir asesmen mandiri (FR-APL-02) yang dilengkapi dengan "
         "bukti pendukung."),
        ("9.1.4", "Pemohon telah memenuhi persyaratan dasar sertifikasi yang telah ditetapkan."),
        ("9.1.5", "Pemohon menyatakan setuju untuk memenuhi persyaratan sertifikasi dan memberikan "
         "setiap informasi yang diperlukan untuk penilaian."),
        ("9.1.6", "LSP menelaah berkas pendaftaran untuk mengkonfirmasi bahwa pemohon sertifikasi "
         "memenuhi persyaratan yang ditetapkan dalam skema sertifikasi."),
        ("9.2", "Asesmen: LSP menugaskan Asesor Kompetensi; asesor menyepakati rencana asesmen "
         "dengan peserta dan mengkaji kecukupan bukti dari asesmen mandiri (APL-02)."),
        ("9.3", "Uji kompetensi di Tempat Uji Kompetensi (TUK) yang diverifikasi LSP, dengan metode "
         "observasi/demonstrasi, pertanyaan tertulis, pertanyaan lisan, verifikasi portofolio atau "
         "wawancara; bukti dievaluasi dengan aturan bukti VATM (Valid, Asli, Terkini, Memadai)."),
        ("9.4", "Keputusan sertifikasi oleh tim teknis dalam rapat yang dibuat dalam Berita Acara; "
         "surat keputusan LSP berdasarkan berita acara; sertifikat berlaku 3 (tiga) tahun dan "
         "diserahkan setelah seluruh persyaratan sertifikasi dipenuhi."),
    ],
    "right": [
        ("7.1.1", "Memperoleh penjelasan tentang gambaran proses sertifikasi sesuai dengan skema "
         "sertifikasi."),
        ("7.1.2", "Mendapatkan hak bertanya berkaitan dengan kompetensi."),
        ("7.1.3", "Memperoleh jaminan kerahasiaan atas proses sertifikasi."),
        ("7.1.4", "Memperoleh hak banding terhadap keputusan sertifikasi."),
        ("7.1.5", "Memperoleh sertifikat kompetensi jika dinyatakan kompeten."),
    ],
    "obligation": [
        ("7.2.1", "Menjamin bahwa sertifikat kompetensi tidak disalahgunakan."),
        ("7.2.2", "Menjamin terpeliharanya kompetensi yang sesuai pada sertifikat kompetensi."),
        ("7.2.3", "Menjamin bahwa seluruh pernyataan dan informasi yang diberikan adalah terbaru, "
         "benar dan dapat dipertanggungjawabkan."),
        ("7.2.4", "Menjamin mentaati aturan penggunaan sertifikat."),
    ],
    "use": [
        ("9.8.1", "Mematuhi ketentuan dalam skema sertifikasi."),
        ("9.8.2", "Membuat pernyataan bahwa sertifikat kompetensi yang diterima hanya untuk ruang "
         "lingkup kompetensi yang telah diberikan."),
        ("9.8.3", "Menyatakan bahwa tidak akan menggunakan sertifikat untuk hal apapun yang dapat "
         "mencemarkan LSP serta menyesatkan atau tidak dapat dipertanggungjawabkan."),
        ("9.8.4", "Menghentikan penggunaan semua pengakuan atas sertifikat yang merujuk pada LSP "
         "atau sertifikasi LSP apabila sertifikat dibekukan atau dicabut, dan mengembalikan "
         "sertifikat yang diterbitkan LSP."),
        ("9.5.1", "Pembekuan sertifikat dilakukan apabila pemegang sertifikat melanggar ketentuan "
         "pemegang sertifikat, menyalahgunakan kewenangan yang telah diberikan, atau mencemarkan "
         "nama baik LSP."),
        ("9.6", "LSP tidak melakukan surveilan / pemeliharaan terhadap sertifikat kompetensi."),
        ("9.7", "LSP tidak melakukan sertifikasi ulang; perpanjangan sertifikat disarankan melalui "
         "LSP P3 yang relevan."),
    ],
    "appeal": [
        ("9.9.1", "LSP memberikan kesempatan kepada peserta untuk mengajukan banding apabila "
         "keputusan sertifikasi dirasa tidak sesuai dengan keinginannya."),
        ("9.9.2", "Banding dilakukan maksimal 1 hari sejak keputusan sertifikasi ditetapkan."),
        ("9.9.3", "LSP menyediakan formulir yang digunakan untuk pengajuan banding."),
        ("9.9.4", "Tim banding beranggotakan personil yang tidak terlibat dalam subjek yang "
         "dibanding."),
        ("9.9.6", "Keputusan banding selambat-lambatnya 14 hari kerja sejak permohonan banding "
         "diterima LSP."),
        ("9.9.7", "Keputusan banding bersifat mengikat kedua belah pihak."),
        ("9.9.8", "Proses banding diselesaikan dalam waktu 7 (tujuh) hari sejak tanggal penerimaan "
         "permohonan banding; jika terbukti ada perlakuan tidak adil, peserta diberi kesempatan "
         "asesmen ulang."),
    ],
    "terms": [
        ("9.1.5", "Saya setuju untuk memenuhi persyaratan sertifikasi dan memberikan setiap "
         "informasi yang diperlukan untuk penilaian."),
        ("7.2.3", "Seluruh pernyataan dan informasi yang saya berikan adalah terbaru, benar dan "
         "dapat dipertanggungjawabkan."),
    ],
}


def load_scheme(apps, schema_editor):
    Scheme = apps.get_model("registration", "Scheme")
    scheme, _created = Scheme.objects.update_or_create(
        document_number="003-P1UPJ-MHP-10-2021",
        defaults={
            "code": "mhp",
            "name": "Pengelolaan Sistem Manajemen Hubungan Pelanggan",
            "scheme_type": "Klaster",
            "summary": (
                "Skema sertifikasi Klaster yang dikembangkan oleh Komite Skema Sertifikasi LSP "
                "Universitas Pembangunan Jaya, mengacu pada SKKNI Kepmenaker No. 170 Tahun 2016 "
                "bidang Manajemen Hubungan Pelanggan (Customer Relationship Management), untuk "
                "memastikan kompetensi pada pekerjaan Pengelolaan Sistem Manajemen Hubungan "
                "Pelanggan."
            ),
            "approved_on": datetime.date(2021, 5, 18),
            "fee": 350_000,
            "validity_years": 3,
            "eligible_study_programmes": "Manajemen",
            "min_experience_hours": 400,
            "experience_requirement": (
                "Memiliki pengalaman kerja/magang dalam bidang Manajemen Pemasaran dan atau "
                "Manajemen Pelanggan pada industri selama minimal 400 jam."
            ),
            "is_open": True,
        },
    )
    for number, (code, title) in enumerate(UNITS, start=1):
        apps.get_model("registration", "Unit").objects.update_or_create(
            scheme=scheme, code=code, defaults={"number": number, "title": title}
        )
    for number, name in enumerate(COURSES, start=1):
        apps.get_model("registration", "RequiredCourse").objects.update_or_create(
            scheme=scheme, name=name, defaults={"number": number}
        )
    for name in FIELDS:
        apps.get_model("registration", "ExperienceField").objects.get_or_create(
            scheme=scheme, name=name
        )
    for number, (code, name, section, quantity, images_only) in enumerate(DOCUMENTS, start=1):
        apps.get_model("registration", "RequiredDocument").objects.update_or_create(
            scheme=scheme,
            code=code,
            defaults={
                "number": number,
                "name": name,
                "section": section,
                "quantity": quantity,
                "images_only": images_only,
            },
        )
    Clause = apps.get_model("registration", "SchemeClause")
    Clause.objects.filter(scheme=scheme).delete()
    for kind, clauses in CLAUSES.items():
        for order, (section, text) in enumerate(clauses, start=1):
            Clause.objects.create(scheme=scheme, kind=kind, section=section, text=text, order=order)


def unload_scheme(apps, schema_editor):
    apps.get_model("registration", "Scheme").objects.filter(
        document_number="003-P1UPJ-MHP-10-2021"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("registration", "0001_initial")]

    operations = [migrations.RunPython(load_scheme, unload_scheme)]
