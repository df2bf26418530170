import { Segmented } from 'antd';
import type { Locale } from '../../api/types';
import { useLanguage } from './useLanguage';

export function LanguageSwitch() {
  const { language, setLanguage } = useLanguage();
  return (
    <Segmented<Locale>
      size="small"
      value={language}
      onChange={(value) => void setLanguage(value)}
      options={[
        { label: '中文', value: 'zh-CN' },
        { label: 'English', value: 'en-US' },
      ]}
    />
  );
}
