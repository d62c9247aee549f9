//! The store's behaviour, identical on every backend (SQLite always; PostgreSQL when
//! ZHIFA_TEST_POSTGRES_URL is set — see `zhifa_store::testing`).

use std::sync::Arc;

use jiff::civil::date;
use zhifa_domain::event::Event;
use zhifa_domain::registry::Employment;
use zhifa_store::testing::{backends, fixtures};
use zhifa_store::{Actor, AppendError, Paging, Store, StoreError};

fn actor() -> Actor {
    Actor("test".into())
}

fn seeded(s: &Store) {
    s.append_batch(&actor(), fixtures::registry()).expect("fixture registry is valid");
}

fn refused(r: Result<zhifa_store::Record, AppendError>) -> zhifa_domain::Violation {
    match r {
        Err(AppendError::Refused(v)) => v,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn rec2_the_database_refuses_update_and_delete_of_records() {
    for t in backends() {
        let s = t.open();
        seeded(&s);
        let n = s.record_count().unwrap();
        for sql in ["UPDATE records SET actor = 'mallory'", "DELETE FROM records WHERE seq = 0"] {
            let e = s.execute_raw(sql).expect_err(sql);
            assert!(e.to_string().contains("REC-2"), "{}: {sql}: {e}", t.backend);
        }
        if t.backend == "postgres" {
            let e = s.execute_raw("TRUNCATE records").expect_err("truncate");
            assert!(e.to_string().contains("REC-2"), "{e}");
        }
        assert_eq!(s.record_count().unwrap(), n, "{}", t.backend);
        assert_eq!(s.records(None, -1, 1).unwrap()[0].actor, "test");
    }
}

#[test]
fn a_batch_with_a_refused_event_writes_nothing_and_names_every_refusal() {
    for t in backends() {
        let s = t.open();
        let mut events = fixtures::registry();
        // Index 2: an officer of an unknown agency; index 6: a duplicate certificate.
        events[2] = Event::OfficerRegistered { officer: fixtures::officer("A1", 99) };
        events.insert(6, Event::CertificateIssued { certificate: fixtures::certificate("C1", "A2") });
        match s.append_batch(&actor(), events) {
            Err(AppendError::RefusedMany(v)) => {
                let idx: Vec<usize> = v.iter().map(|(i, _)| *i).collect();
                assert!(idx.contains(&2) && idx.contains(&6), "{}: {v:?}", t.backend);
                assert_eq!(v[0].1.rule, "STAFF-1");
            }
            other => panic!("{}: {other:?}", t.backend),
        }
        assert_eq!(s.record_count().unwrap(), 0, "{}", t.backend);
        assert!(s.agency(fixtures::code(1).as_str()).unwrap().is_none(), "{}: no partial write", t.backend);
    }
}

#[test]
fn registry_rules_refuse_and_write_nothing() {
    for t in backends() {
        let s = t.open();
        seeded(&s);
        let before = s.record_count().unwrap();

        let v = refused(s.append(&actor(), Event::AgencyRegistered { agency: fixtures::agency(1) }));
        assert_eq!((v.rule, v.field.as_deref()), ("SUBJ-1", Some("code")));

        let mut aux = fixtures::officer("X1", 1);
        aux.employment = Employment::Auxiliary;
        s.append(&actor(), Event::OfficerRegistered { officer: aux }).unwrap();
        let v =
            refused(s.append(&actor(), Event::CertificateIssued { certificate: fixtures::certificate("C9", "X1") }));
        assert_eq!(v.rule, "STAFF-4", "{}", t.backend);

        let v = refused(s.append(
            &actor(),
            Event::ReviewerAppointed { agency: fixtures::code(1), staff_no: "A1".into(), on: date(2026, 3, 1) },
        ));
        assert_eq!(v.rule, "STAFF-5");
        assert!(v.message.contains("法律职业资格"), "{}", v.message);

        let mut bad_version = fixtures::item("SCJG-CF-001", 1);
        bad_version.version = 3;
        bad_version.change = zhifa_domain::item::ChangeKind::Amend;
        let v = refused(s.append(&actor(), Event::ItemVersionAdded { item: bad_version }));
        assert_eq!(v.rule, "ITEM-3");
        assert_eq!(v.message, "事项 SCJG-CF-001 当前为第 1 版，新版本号应为 2");

        let v = refused(s.append(&actor(), Event::CertificateReinstated { number: "C1".into(), on: date(2026, 3, 1) }));
        assert_eq!(v.rule, "STAFF-2");

        assert_eq!(s.record_count().unwrap(), before + 1, "{}: only the auxiliary officer was written", t.backend);
    }
}

#[test]
fn projections_rebuild_from_records_identically() {
    for t in backends() {
        let s = t.open();
        seeded(&s);
        let mut v2 = fixtures::item("SCJG-CF-001", 1);
        v2.version = 2;
        v2.change = zhifa_domain::item::ChangeKind::Cancel;
        v2.effective_from = date(2026, 1, 1);
        s.append(&actor(), Event::ItemVersionAdded { item: v2 }).unwrap();
        let before = s.snapshot().unwrap();
        s.rebuild_projections().unwrap();
        assert_eq!(s.snapshot().unwrap(), before, "{}", t.backend);
        assert_eq!(before.item_versions.len(), 2);
    }
}

#[test]
fn a_restart_keeps_everything() {
    for t in backends() {
        let before = {
            let s = t.open();
            seeded(&s);
            s.snapshot().unwrap()
        };
        let s = t.open();
        assert_eq!(s.snapshot().unwrap(), before, "{}", t.backend);
        assert_eq!(s.schema_version().unwrap(), zhifa_store::SCHEMA_VERSION);
    }
}

/// A stored value of the wrong type (SQLite stores what it is given; PostgreSQL's column
/// types refuse it, so this runs on SQLite only) is an error naming the table and column —
/// for a reader and for the committer, which refuses that group and goes on (LOG-1).
#[test]
fn log1_a_value_of_the_wrong_type_is_an_error_naming_table_and_column_not_a_panic() {
    let t = zhifa_store::testing::sqlite();
    seeded(&t.open());
    // A fresh handle: its committer resumes the tile builder from the stored tiles.
    let s = t.open();
    let n = s.record_count().unwrap();
    s.execute_raw("UPDATE log_tiles SET width = 'zwölf' WHERE level = 0 AND idx = 0").unwrap();

    let e = s.tile(zhifa_log::TileId::hashes(0, 0, 1).unwrap()).expect_err("corrupt width");
    assert!(
        matches!(&e, StoreError::CorruptColumn { table, column, .. } if table == "log_tiles" && column == "width"),
        "{e:?}"
    );
    let e = s.append(&actor(), Event::AgencyRegistered { agency: fixtures::agency(3) }).expect_err("corrupt width");
    assert!(matches!(&e, AppendError::Store(StoreError::Commit(m)) if m.contains("log_tiles.width")), "{e:?}");
    assert_eq!(s.record_count().unwrap(), n, "nothing written");

    s.execute_raw(&format!("UPDATE log_tiles SET width = {n} WHERE level = 0 AND idx = 0")).unwrap();
    let rec =
        s.append(&actor(), Event::AgencyRegistered { agency: fixtures::agency(3) }).expect("the committer goes on");
    assert_eq!(rec.seq, n);
    assert!(s.verify_log(None).unwrap().ok());
}

#[test]
fn a_database_from_a_newer_version_is_refused_with_a_clear_message() {
    for t in backends() {
        {
            let s = t.open();
            s.execute_raw("UPDATE meta SET value = '99' WHERE key = 'schema_version'").unwrap();
        }
        match Store::open(&t.config) {
            Err(StoreError::Schema(m)) => {
                assert!(m.contains("99") && m.contains("更新版本"), "{}: {m}", t.backend)
            }
            Err(e) => panic!("{}: wrong error {e}", t.backend),
            Ok(_) => panic!("{}: opened a newer schema", t.backend),
        }
    }
}

#[test]
fn concurrent_writers_get_gapless_sequence_numbers() {
    for t in backends() {
        let s = Arc::new(t.open());
        seeded(&s);
        let start = s.record_count().unwrap();
        let threads: Vec<_> = (0..4)
            .map(|w| {
                let s = s.clone();
                std::thread::spawn(move || {
                    for i in 0..10 {
                        s.append(
                            &actor(),
                            Event::TrainingRecorded {
                                staff_no: "A1".into(),
                                year: 2026,
                                hours: 1,
                                course: format!("w{w}-{i}"),
                            },
                        )
                        .unwrap();
                    }
                })
            })
            .collect();
        for th in threads {
            th.join().unwrap();
        }
        let recs = s.records(None, -1, 500).unwrap();
        assert_eq!(recs.len() as i64, start + 40, "{}", t.backend);
        for (i, r) in recs.iter().enumerate() {
            assert_eq!(r.seq, i as i64, "{}", t.backend);
        }
        let a1 = s.officer("A1").unwrap().unwrap();
        assert_eq!(a1.qualification.hours_in(2026), 40, "{}", t.backend);
    }
}

#[test]
fn queries_filter_page_and_answer_by_date() {
    for t in backends() {
        let s = t.open();
        seeded(&s);
        let all = s.agencies(&Default::default(), Paging { offset: 0, limit: 1 }).unwrap();
        assert_eq!((all.total, all.items.len()), (2, 1), "{}", t.backend);
        let f = zhifa_store::AgencyFilter { q: Some("第2".into()), ..Default::default() };
        assert_eq!(s.agencies(&f, Paging::default()).unwrap().items[0].code, fixtures::code(2));
        let f = zhifa_store::AgencyFilter { region: Some("130000".into()), ..Default::default() };
        assert_eq!(s.agencies(&f, Paging::default()).unwrap().total, 2);
        let f = zhifa_store::AgencyFilter { region: Some("110000".into()), ..Default::default() };
        assert_eq!(s.agencies(&f, Paging::default()).unwrap().total, 0);
        // LIKE wildcards in user input are literal.
        let f = zhifa_store::AgencyFilter { q: Some("%".into()), ..Default::default() };
        assert_eq!(s.agencies(&f, Paging::default()).unwrap().total, 0, "{}", t.backend);

        let of = zhifa_store::OfficerFilter { agency: Some(fixtures::code(1).to_string()), q: None };
        let officers = s.officers(&of, Paging::default()).unwrap();
        assert_eq!(officers.total, 3);
        let a1 = officers.items.iter().find(|o| o.officer.staff_no == "A1").unwrap();
        assert_eq!(a1.certificates.len(), 1);
        assert_eq!(a1.qualification.exam_passed_on, Some(date(2024, 12, 1)));

        let mut v2 = fixtures::item("SCJG-CF-001", 1);
        v2.version = 2;
        v2.change = zhifa_domain::item::ChangeKind::Amend;
        v2.effective_from = date(2026, 7, 1);
        v2.name = "新名称".into();
        s.append(&actor(), Event::ItemVersionAdded { item: v2 }).unwrap();
        assert_eq!(s.item_on("SCJG-CF-001", date(2026, 6, 30)).unwrap().unwrap().version, 1, "ITEM-3");
        assert_eq!(s.item_on("SCJG-CF-001", date(2026, 7, 1)).unwrap().unwrap().version, 2, "ITEM-3");
        assert!(s.item_on("SCJG-CF-001", date(2023, 1, 1)).unwrap().is_none());

        let ratios = s.reviewer_ratios().unwrap();
        let r1 = ratios.iter().find(|r| r.agency == fixtures::code(1)).unwrap();
        assert_eq!((r1.officers, r1.reviewers, r1.meets_rule), (2, 1, true), "{}: STAFF-5", t.backend);
        let r2 = ratios.iter().find(|r| r.agency == fixtures::code(2)).unwrap();
        assert!(!r2.meets_rule, "STAFF-5: no reviewer at all");

        assert!(s.officer("nobody").unwrap().is_none());
        assert!(s.certificate("nope").unwrap().is_none());
    }
}

#[test]
fn cal1_a_loaded_year_makes_deadlines_firm() {
    for t in backends() {
        let s = t.open();
        let d = s.calendar().unwrap().add_working_days(date(2026, 12, 25), 5);
        assert!(d.provisional, "{}", t.backend);
        let year = zhifa_domain::calendar::HolidayYear::from_holiday_cn_json(
            r#"{"year": 2027, "papers": ["test"], "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}"#,
        )
        .unwrap();
        s.append(&actor(), Event::CalendarYearLoaded { year }).unwrap();
        let d = s.calendar().unwrap().add_working_days(date(2026, 12, 25), 5);
        assert!(!d.provisional, "{}", t.backend);
        assert_eq!(d.date, date(2027, 1, 4));
    }
}

#[test]
fn tokens_resolve_to_accounts_until_revoked() {
    for t in backends() {
        let s = t.open();
        seeded(&s);
        s.append(&actor(), Event::AccountCreated { account: fixtures::admin() }).unwrap();
        let digest = "a".repeat(64);
        s.append(
            &actor(),
            Event::TokenCreated {
                id: "t1".into(),
                login: "admin".into(),
                token_sha256: digest.clone(),
                label: String::new(),
            },
        )
        .unwrap();
        assert_eq!(s.account_by_token(&digest).unwrap().unwrap().login, "admin");
        s.append(&actor(), Event::TokenRevoked { id: "t1".into() }).unwrap();
        assert!(s.account_by_token(&digest).unwrap().is_none(), "{}", t.backend);
        let v = refused(s.append(&actor(), Event::TokenRevoked { id: "t1".into() }));
        assert_eq!(v.rule, "SEC-1");
    }
}

mod log {
    use super::*;
    use zhifa_log::{Ed25519Signer, NoteSigner, TileId, leaf_hash, verify_consistency, verify_inclusion};

    fn signer() -> Ed25519Signer {
        Ed25519Signer::from_seed("zhifa.test/log", &[7; 32]).unwrap()
    }

    #[test]
    fn log1_every_record_is_a_leaf_and_the_tree_verifies() {
        for t in backends() {
            let s = t.open();
            seeded(&s);
            let n = s.record_count().unwrap() as u64;
            assert_eq!(s.tree_size().unwrap(), n, "{}", t.backend);
            let root = s.root_at(n).unwrap();
            for seq in 0..n {
                let leaf = s.record_leaf(seq as i64).unwrap().unwrap();
                let salt: [u8; 32] = hex::decode(&leaf.salt).unwrap().try_into().unwrap();
                let entry = zhifa_store::log::commitment(&salt, &zhifa_store::log::canonical_bytes(&leaf.record));
                assert_eq!(hex::encode(entry), leaf.commitment, "LOG-4: the entry is the record's commitment");
                let proof = s.inclusion_proof(seq, n).unwrap();
                verify_inclusion(&leaf_hash(&entry), seq, n, &proof, &root).unwrap();
            }
            // Entry bundles and tiles come out of the store in C2SP form.
            let bundle = s.tile(TileId::entries(0, n as u16).unwrap()).unwrap().unwrap();
            assert_eq!(bundle.len(), n as usize * 34);
            assert!(s.tile(TileId::entries(0, n as u16 + 1).unwrap()).unwrap().is_none());
            let level0 = s.tile(TileId::hashes(0, 0, n as u16).unwrap()).unwrap().unwrap();
            assert_eq!(level0.len(), n as usize * 32);
            let report = s.verify_log(None).unwrap();
            assert!(report.ok(), "{}: {:?}", t.backend, report.problems);
            assert_eq!(report.leaves, n);
        }
    }

    #[test]
    fn log2_checkpoints_only_ever_extend_each_other() {
        for t in backends() {
            let s = t.open();
            let k = signer();
            let signers: [&dyn NoteSigner; 1] = [&k];
            assert_eq!(s.sign_checkpoint("zhifa.test/log", &signers).unwrap().unwrap().size, 0);
            assert!(s.sign_checkpoint("zhifa.test/log", &signers).unwrap().is_none(), "not grown: no new checkpoint");
            seeded(&s);
            let a = s.sign_checkpoint("zhifa.test/log", &signers).unwrap().unwrap();
            s.append(&actor(), Event::AgencyRegistered { agency: fixtures::agency(5) }).unwrap();
            let b = s.sign_checkpoint("zhifa.test/log", &signers).unwrap().unwrap();
            assert_eq!(b.size, a.size + 1);
            let proof = s.consistency_proof(a.size, b.size).unwrap();
            verify_consistency(a.size, b.size, &proof, &a.root, &b.root).unwrap();
            let latest = s.latest_checkpoint().unwrap().unwrap();
            assert_eq!(latest.note, b.note);
            assert!(latest.note.starts_with(&format!("zhifa.test/log\n{}\n", b.size)));
            let v = k.verifier();
            let report = s.verify_log(Some(&v)).unwrap();
            assert!(report.ok(), "{}: {:?}", t.backend, report.problems);
            assert_eq!(report.checkpoints, 3);
            let e = s.execute_raw("DELETE FROM log_checkpoints").unwrap_err();
            assert!(e.to_string().contains("LOG-2") || e.to_string().contains("REC-2"), "{e}");
        }
    }

    #[test]
    fn rec2_verify_names_a_record_altered_behind_the_triggers_back() {
        for t in backends() {
            let s = t.open();
            seeded(&s);
            let k = signer();
            s.sign_checkpoint("zhifa.test/log", &[&k]).unwrap();
            let drop = if t.backend == "postgres" {
                "DROP TRIGGER records_no_update_delete ON records"
            } else {
                "DROP TRIGGER records_no_update"
            };
            s.execute_raw(drop).unwrap();
            s.execute_raw("UPDATE records SET body = replace(body, '张三', '李四') WHERE seq = 3").unwrap();
            let report = s.verify_log(Some(&k.verifier())).unwrap();
            assert_eq!(report.first_bad_leaf, Some(3), "{}: {:?}", t.backend, report.problems);
            assert!(report.problems[0].contains("叶子 3"), "{}", report.problems[0]);

            // A forged tile is named too, and no checkpoint is signed over a rewritten tree.
            let t2 = zhifa_store::testing::sqlite();
            let s2 = t2.open();
            seeded(&s2);
            s2.sign_checkpoint("zhifa.test/log", &[&k]).unwrap();
            s2.execute_raw("UPDATE log_tiles SET data = '00' || substr(data, 3) WHERE level = 0").unwrap();
            let report = s2.verify_log(None).unwrap();
            assert_eq!(report.first_bad_leaf, Some(0), "{:?}", report.problems);
            // A new process resumes from the forged tiles; the next checkpoint is refused.
            let s2 = t2.open();
            s2.append(&actor(), Event::AgencyRegistered { agency: fixtures::agency(6) }).unwrap();
            let e = s2.sign_checkpoint("zhifa.test/log", &[&k]).unwrap_err();
            assert!(e.to_string().contains("LOG-2"), "{e}");
        }
    }
}

#[test]
fn migration_2_gives_records_written_before_the_log_their_leaves() {
    for t in backends() {
        {
            let v1 = Store::open_at_schema_version(&t.config, 1).unwrap();
            assert_eq!(v1.schema_version().unwrap(), 1);
            for (seq, subject) in [(0, "agency/a"), (1, "agency/b"), (2, "officer/c")] {
                v1.execute_raw(&format!(
                    "INSERT INTO records (seq, kind, subject, actor, recorded_at, body) \
                     VALUES ({seq}, 'note', '{subject}', 'v1', 1700000000000000, '{{\"type\":\"note\"}}')"
                ))
                .unwrap();
            }
        }
        let s = t.open();
        assert_eq!(s.schema_version().unwrap(), zhifa_store::SCHEMA_VERSION);
        assert_eq!(s.tree_size().unwrap(), 3, "{}", t.backend);
        let report = s.verify_log(None).unwrap();
        assert!(report.ok(), "{}: {:?}", t.backend, report.problems);
        seeded(&s);
        assert!(s.verify_log(None).unwrap().ok());
    }
}
