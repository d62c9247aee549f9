//! The registries as plain data (agencies, officers, certificates, training, reviewers,
//! the item list): what export writes and import reads.

use jiff::civil::Date;

use crate::item::{InspectionEntry, ItemVersion};
use crate::registry::{Agency, Certificate, Officer};

/// The registries as plain data: what export writes and import reads.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Snapshot {
    pub agencies: Vec<Agency>,
    pub officers: Vec<Officer>,
    /// (staff_no, latest passed exam)
    pub exams: Vec<(String, Date)>,
    pub certificates: Vec<Certificate>,
    /// (staff_no, year, hours)
    pub training: Vec<(String, i16, u32)>,
    /// Current appointments: (agency, staff_no, since)
    pub reviewers: Vec<(String, String, Date)>,
    pub item_versions: Vec<ItemVersion>,
    pub inspection_list: Vec<InspectionEntry>,
}
