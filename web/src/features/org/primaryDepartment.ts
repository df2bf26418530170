import type { PersonSummary } from '../../api/types';

export function primaryDepartment(person: PersonSummary): string | undefined {
  return (person.departments.find((d) => d.is_primary) ?? person.departments[0])?.name;
}
