import { Select } from 'antd';
import { useDepartments } from '../org/useDepartments';

/** Choose departments (their members are invited, or the calendar is shared with them). */
export function DepartmentSelect({
  id,
  value,
  onChange,
  placeholder,
}: {
  id?: string;
  value?: number[];
  onChange?: (value: number[]) => void;
  placeholder?: string;
}) {
  const departments = useDepartments();
  return (
    <Select
      id={id}
      mode="multiple"
      value={value ?? []}
      onChange={onChange}
      placeholder={placeholder}
      optionFilterProp="label"
      options={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
      data-testid="department-select"
    />
  );
}
