DROP TABLE names_versions;
