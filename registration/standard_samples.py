"""SAMPLE texts of the elements and KUK (kriteria unjuk kerja) of the demo scheme's 15 units.

The scheme document (skema-sertifikasi-mhp) names only its units; their elements and KUK are
those of SKKNI 170/2016 (Kepmenaker), whose texts are not at hand here. These are sample texts,
written after the units' titles, so that the portal works end to end; they are marked as sample
(StandardVersion.is_sample) on the scheme page until staff import the official texts
(manage.py import_units or the scheme page).

MHP: unit code -> list of (element title, list of KUK texts); elements are numbered 1, 2, ...
and KUK 1.1, 1.2, ... in this order.
"""

SAMPLE_NOTE = (
    "Contoh teks elemen dan KUK (bukan teks resmi SKKNI 170/2016); impor teks resmi dari "
    "halaman skema."
)

MHP: dict[str, list[tuple[str, list[str]]]] = {
    "M.702093.001.01": [
        (
            "Menganalisis situasi pasar",
            [
                "Data pasar dikumpulkan sesuai kebutuhan perencanaan.",
                "Kekuatan, kelemahan, peluang, dan ancaman perusahaan diidentifikasi berdasarkan "
                "data pasar.",
                "Segmen pasar sasaran ditetapkan sesuai hasil analisis pasar.",
            ],
        ),
        (
            "Menetapkan sasaran pemasaran",
            [
                "Sasaran pemasaran dirumuskan secara terukur sesuai tujuan perusahaan.",
                "Target penjualan dan pangsa pasar ditetapkan untuk setiap periode perencanaan.",
            ],
        ),
        (
            "Menyusun program pemasaran",
            [
                "Strategi bauran pemasaran ditetapkan sesuai sasaran pemasaran.",
                "Anggaran dan jadwal kegiatan pemasaran disusun sesuai sumber daya perusahaan.",
                "Dokumen rencana pemasaran disahkan oleh pihak yang berwenang.",
            ],
        ),
    ],
    "M.702093.002.01": [
        (
            "Mengidentifikasi posisi merek produk",
            [
                "Persepsi pelanggan terhadap merek produk diidentifikasi melalui riset pasar.",
                "Merek pesaing dibandingkan berdasarkan kriteria yang ditetapkan.",
            ],
        ),
        (
            "Merumuskan identitas merek",
            [
                "Nilai dan janji merek dirumuskan sesuai karakteristik pelanggan sasaran.",
                "Nama, logo, dan slogan merek ditetapkan sesuai pedoman identitas perusahaan.",
                "Pernyataan pemosisian merek disusun secara jelas dan ringkas.",
            ],
        ),
        (
            "Menetapkan rencana pengembangan merek",
            [
                "Saluran komunikasi merek dipilih sesuai perilaku pelanggan sasaran.",
                "Indikator kinerja merek ditetapkan untuk keperluan evaluasi.",
            ],
        ),
    ],
    "M.702093.003.01": [
        (
            "Menentukan tujuan promosi",
            [
                "Tujuan promosi ditetapkan sesuai rencana pemasaran.",
                "Khalayak sasaran promosi diidentifikasi berdasarkan segmen pasar.",
            ],
        ),
        (
            "Memilih bauran promosi",
            [
                "Media dan bentuk promosi dipilih sesuai khalayak sasaran dan anggaran.",
                "Pesan promosi disusun sesuai identitas merek produk.",
                "Materi promosi diperiksa kesesuaiannya dengan ketentuan periklanan yang berlaku.",
            ],
        ),
        (
            "Menyusun jadwal dan anggaran promosi",
            [
                "Jadwal kegiatan promosi disusun sesuai periode penjualan.",
                "Anggaran promosi dihitung untuk setiap kegiatan promosi.",
                "Cara pengukuran efektivitas promosi ditetapkan sebelum promosi dilaksanakan.",
            ],
        ),
    ],
    "M.702093.004.01": [
        (
            "Menganalisis potensi penjualan",
            [
                "Data penjualan periode sebelumnya dianalisis untuk mengetahui kecenderungan "
                "penjualan.",
                "Potensi penjualan setiap wilayah dan segmen pelanggan diperkirakan berdasarkan "
                "data pasar.",
            ],
        ),
        (
            "Menetapkan target penjualan",
            [
                "Target penjualan ditetapkan per produk, wilayah, dan periode.",
                "Target penjualan diselaraskan dengan sasaran dalam rencana pemasaran.",
            ],
        ),
        (
            "Menyusun rencana kegiatan penjualan",
            [
                "Kegiatan penjualan dirinci sesuai target penjualan yang ditetapkan.",
                "Kebutuhan sumber daya penjualan diidentifikasi sesuai rencana kegiatan.",
                "Rencana penjualan dikomunikasikan kepada pihak terkait.",
            ],
        ),
    ],
    "M.702093.005.01": [
        (
            "Mengidentifikasi kebutuhan tim penjualan",
            [
                "Jumlah tenaga penjual yang dibutuhkan dihitung berdasarkan target penjualan.",
                "Kompetensi tenaga penjual yang dibutuhkan dirumuskan sesuai karakteristik produk "
                "dan pelanggan.",
            ],
        ),
        (
            "Menyusun struktur tim penjualan",
            [
                "Struktur organisasi tim penjualan disusun sesuai wilayah atau segmen pelanggan.",
                "Uraian tugas dan tanggung jawab setiap anggota tim ditetapkan secara tertulis.",
            ],
        ),
        (
            "Merencanakan rekrutmen dan pembekalan tim penjualan",
            [
                "Kriteria seleksi anggota tim penjualan ditetapkan sesuai kompetensi yang "
                "dibutuhkan.",
                "Program pembekalan tim penjualan disusun sesuai kebutuhan kerja.",
                "Jadwal pembentukan tim penjualan disusun sesuai rencana penjualan.",
            ],
        ),
    ],
    "M.702093.006.01": [
        (
            "Merancang struktur database penjualan",
            [
                "Kebutuhan informasi penjualan diidentifikasi bersama pengguna data.",
                "Struktur data transaksi penjualan dirancang sesuai kebutuhan informasi.",
                "Kode produk, pelanggan, dan wilayah ditetapkan secara seragam.",
            ],
        ),
        (
            "Memasukkan data penjualan",
            [
                "Data transaksi penjualan dimasukkan sesuai struktur database yang ditetapkan.",
                "Kelengkapan dan ketepatan data penjualan diperiksa sebelum disimpan.",
            ],
        ),
        (
            "Memelihara database penjualan",
            [
                "Data penjualan dicadangkan secara berkala sesuai prosedur perusahaan.",
                "Hak akses database penjualan diatur sesuai kewenangan pengguna.",
                "Laporan penjualan dihasilkan dari database sesuai periode yang diminta.",
            ],
        ),
    ],
    "M.702093.007.01": [
        (
            "Mengidentifikasi sumber data pelanggan",
            [
                "Sumber data pelanggan internal dan eksternal diidentifikasi sesuai kebutuhan "
                "perusahaan.",
                "Jenis data pelanggan yang dikumpulkan ditetapkan sesuai tujuan pengelolaan "
                "hubungan pelanggan.",
            ],
        ),
        (
            "Mengumpulkan data pelanggan",
            [
                "Data pelanggan dikumpulkan dengan persetujuan pelanggan sesuai ketentuan "
                "pelindungan data pribadi.",
                "Data pelanggan dicatat dalam format yang ditetapkan.",
            ],
        ),
        (
            "Mengelompokkan data pelanggan",
            [
                "Pelanggan dikelompokkan berdasarkan kriteria segmentasi yang ditetapkan.",
                "Profil setiap kelompok pelanggan disusun berdasarkan data yang terkumpul.",
            ],
        ),
    ],
    "M.702093.008.01": [
        (
            "Memutakhirkan data pelanggan",
            [
                "Perubahan data pelanggan dicatat segera setelah diterima.",
                "Data pelanggan ganda atau tidak valid dibersihkan sesuai prosedur perusahaan.",
            ],
        ),
        (
            "Mengamankan data pelanggan",
            [
                "Akses terhadap data pelanggan dibatasi sesuai kewenangan petugas.",
                "Data pelanggan disimpan dan dicadangkan sesuai ketentuan pelindungan data "
                "pribadi.",
            ],
        ),
        (
            "Memanfaatkan data pelanggan",
            [
                "Data pelanggan dianalisis untuk mengidentifikasi pola pembelian dan kebutuhan "
                "pelanggan.",
                "Hasil analisis data pelanggan disampaikan kepada unit terkait sebagai dasar "
                "pengambilan keputusan.",
            ],
        ),
    ],
    "M.702093.009.01": [
        (
            "Menentukan tujuan pertemuan pelanggan",
            [
                "Tujuan pertemuan dirumuskan sesuai program hubungan pelanggan.",
                "Pelanggan yang diundang ditetapkan berdasarkan data pelanggan.",
            ],
        ),
        (
            "Menyusun jadwal pertemuan",
            [
                "Waktu dan tempat pertemuan ditetapkan sesuai ketersediaan pelanggan.",
                "Susunan acara pertemuan disusun sesuai tujuan pertemuan.",
            ],
        ),
        (
            "Menyiapkan kebutuhan pertemuan",
            [
                "Anggaran pertemuan disusun sesuai kegiatan yang direncanakan.",
                "Undangan pertemuan dikirimkan kepada pelanggan sesuai jadwal.",
                "Perlengkapan dan materi pertemuan disiapkan sesuai susunan acara.",
            ],
        ),
    ],
    "M.702093.010.01": [
        (
            "Membuka pertemuan pelanggan",
            [
                "Kehadiran pelanggan dicatat sesuai daftar undangan.",
                "Tujuan dan susunan acara pertemuan disampaikan kepada peserta.",
            ],
        ),
        (
            "Memandu jalannya pertemuan",
            [
                "Pertemuan dilaksanakan sesuai susunan acara dan waktu yang ditetapkan.",
                "Masukan dan pertanyaan pelanggan ditanggapi dengan sopan dan jelas.",
                "Hasil pembahasan dicatat dalam notulen pertemuan.",
            ],
        ),
        (
            "Menindaklanjuti hasil pertemuan",
            [
                "Ringkasan hasil pertemuan dikirimkan kepada peserta.",
                "Tindak lanjut hasil pertemuan dijadwalkan dan dipantau penyelesaiannya.",
            ],
        ),
    ],
    "M.702093.011.01": [
        (
            "Mengidentifikasi kebutuhan informasi pelanggan",
            [
                "Kebutuhan informasi pelanggan diidentifikasi melalui pertanyaan yang relevan.",
                "Saluran komunikasi yang dikehendaki pelanggan dicatat.",
            ],
        ),
        (
            "Menyediakan informasi bagi pelanggan",
            [
                "Informasi produk dan layanan disiapkan dari sumber resmi perusahaan.",
                "Informasi disampaikan kepada pelanggan secara jelas, benar, dan tepat waktu.",
                "Pertanyaan yang tidak dapat dijawab dirujuk kepada petugas yang berwenang.",
            ],
        ),
        (
            "Mendokumentasikan layanan informasi",
            [
                "Permintaan informasi dan jawabannya dicatat dalam sistem layanan pelanggan.",
                "Pertanyaan yang sering diajukan dihimpun untuk pemutakhiran materi informasi.",
            ],
        ),
    ],
    "M.702093.012.01": [
        (
            "Menerima keluhan pelanggan",
            [
                "Keluhan pelanggan diterima dengan sikap empati dan sopan.",
                "Rincian keluhan dicatat secara lengkap dalam formulir atau sistem keluhan.",
            ],
        ),
        (
            "Menganalisis keluhan pelanggan",
            [
                "Penyebab keluhan diidentifikasi berdasarkan fakta dan bukti yang ada.",
                "Tingkat prioritas keluhan ditetapkan sesuai dampaknya terhadap pelanggan.",
            ],
        ),
        (
            "Menyelesaikan keluhan pelanggan",
            [
                "Alternatif penyelesaian keluhan ditawarkan sesuai kebijakan perusahaan.",
                "Penyelesaian keluhan disampaikan kepada pelanggan dalam batas waktu yang "
                "ditetapkan.",
                "Tanggapan pelanggan atas penyelesaian keluhan dikonfirmasi dan dicatat.",
            ],
        ),
    ],
    "M.702093.013.01": [
        (
            "Merancang pengukuran kepuasan pelanggan",
            [
                "Indikator kepuasan pelanggan ditetapkan sesuai atribut produk dan layanan.",
                "Instrumen survei kepuasan disusun dan diuji coba sebelum digunakan.",
                "Responden survei ditetapkan sesuai metode pengambilan sampel yang dipilih.",
            ],
        ),
        (
            "Mengumpulkan data kepuasan pelanggan",
            [
                "Survei kepuasan dilaksanakan sesuai jadwal dan metode yang ditetapkan.",
                "Kelengkapan jawaban responden diperiksa sebelum diolah.",
            ],
        ),
        (
            "Menganalisis hasil pengukuran kepuasan",
            [
                "Indeks kepuasan pelanggan dihitung sesuai metode yang ditetapkan.",
                "Rekomendasi perbaikan disusun berdasarkan hasil analisis kepuasan pelanggan.",
            ],
        ),
    ],
    "M.702093.014.01": [
        (
            "Menetapkan tujuan program loyalitas",
            [
                "Tujuan program loyalitas dirumuskan berdasarkan analisis data pelanggan.",
                "Kelompok pelanggan sasaran program loyalitas ditetapkan sesuai tujuan program.",
            ],
        ),
        (
            "Merancang mekanisme program loyalitas",
            [
                "Bentuk penghargaan bagi pelanggan ditetapkan sesuai preferensi pelanggan sasaran.",
                "Syarat dan ketentuan keikutsertaan program disusun secara tertulis.",
                "Biaya dan manfaat program loyalitas diperhitungkan sesuai anggaran perusahaan.",
            ],
        ),
        (
            "Menyusun rencana peluncuran program loyalitas",
            [
                "Jadwal peluncuran program loyalitas disusun sesuai rencana pemasaran.",
                "Materi komunikasi program loyalitas disiapkan untuk pelanggan sasaran.",
            ],
        ),
    ],
    "M.702093.015.01": [
        (
            "Melaksanakan program loyalitas",
            [
                "Pelanggan didaftarkan sebagai peserta program sesuai syarat dan ketentuan.",
                "Poin atau penghargaan peserta dicatat dan diberikan sesuai ketentuan program.",
            ],
        ),
        (
            "Memantau pelaksanaan program loyalitas",
            [
                "Tingkat partisipasi dan transaksi peserta program dipantau secara berkala.",
                "Pertanyaan dan keluhan peserta program ditangani sesuai prosedur perusahaan.",
            ],
        ),
        (
            "Mengevaluasi program loyalitas",
            [
                "Hasil program loyalitas dibandingkan dengan tujuan yang ditetapkan.",
                "Usulan penyempurnaan program loyalitas disusun berdasarkan hasil evaluasi.",
            ],
        ),
    ],
}


def check() -> list[str]:
    """Problems in MHP: too few or too many elements or KUK, duplicate, long or unfinished texts.

    Each unit has 2 to 4 elements and each element 2 to 4 KUK; no text repeats (element titles
    among element titles, KUK among KUK, across all units); every text is non-empty and under
    200 characters; a KUK ends with a full stop and an element title does not.
    """
    problems: list[str] = []
    seen_elements: dict[str, str] = {}
    seen_kuk: dict[str, str] = {}
    for code, elements in MHP.items():
        if not 2 <= len(elements) <= 4:
            problems.append(f"{code}: {len(elements)} elemen (harus 2 sampai 4)")
        for e, (title, kuks) in enumerate(elements, start=1):
            where = f"{code} elemen {e}"
            if not title.strip() or len(title) >= 200:
                problems.append(f"{where}: judul kosong atau 200 karakter atau lebih")
            if title.endswith("."):
                problems.append(f"{where}: judul elemen diakhiri titik")
            if title in seen_elements:
                problems.append(f"{where}: judul sama dengan {seen_elements[title]}")
            seen_elements.setdefault(title, where)
            if not 2 <= len(kuks) <= 4:
                problems.append(f"{where}: {len(kuks)} KUK (harus 2 sampai 4)")
            for k, text in enumerate(kuks, start=1):
                kuk_where = f"{code} KUK {e}.{k}"
                if not text.strip() or len(text) >= 200:
                    problems.append(f"{kuk_where}: teks kosong atau 200 karakter atau lebih")
                if not text.endswith("."):
                    problems.append(f"{kuk_where}: tidak diakhiri titik")
                if text in seen_kuk:
                    problems.append(f"{kuk_where}: teks sama dengan {seen_kuk[text]}")
                seen_kuk.setdefault(text, kuk_where)
    return problems
