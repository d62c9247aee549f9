//! Money. Amounts are whole fen (`i64`); [`yuan`] is the one way they are written for
//! people, everywhere: pages, documents, messages and spreadsheets.

/// An amount in fen as yuan, without the unit and without grouping: whole yuan print
/// without decimals (`500_000` → `5000`), others with two (`12_345` → `123.45`,
/// `-5` → `-0.05`). Callers add 元 as the sentence needs ("罚款 5000 元", "人民币5000元").
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    if abs.is_multiple_of(100) {
        format!("{sign}{}", abs / 100)
    } else {
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::yuan;

    #[test]
    fn money_prints_in_yuan() {
        assert_eq!(yuan(500_000), "5000");
        assert_eq!(yuan(12_345), "123.45");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(-5), "-0.05");
        assert_eq!(yuan(-12_300), "-123");
        assert_eq!(yuan(0), "0");
    }
}
